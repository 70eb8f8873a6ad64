import { randomBytes } from 'node:crypto';

/**
 * A capture id that sorts by time as text: UTC timestamp to the millisecond, then random hex so that two processes
 * sharing a store never collide. Example: `20261123T212400123Z-9f1c2a`.
 */
export function captureId(at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export const CAPTURE_ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;
