import { join } from 'node:path';
import { CAPTURE_ID_PATTERN } from '@vigil/core';

/** `captures/YYYY/MM/DD` of a capture, from the timestamp its id starts with. */
export function dayDir(root: string, id: string): string {
  return join(root, 'captures', id.slice(0, 4), id.slice(4, 6), id.slice(6, 8));
}

/** The epoch ms an id was made at. */
export function idTime(id: string): number {
  const iso = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}.${id.slice(15, 18)}Z`;
  return Date.parse(iso);
}

export function isCaptureId(id: string): boolean {
  return CAPTURE_ID_PATTERN.test(id);
}

/** Trace ids are 32 hex characters (W3C); anything else never reaches the filesystem. */
export function isTraceId(traceId: string): boolean {
  return /^[0-9a-f]{32}$/.test(traceId);
}
