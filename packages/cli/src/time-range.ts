import { parseDuration } from '@vigil/core';
import { CliError } from './cli-error.ts';

/** `--since 1h` (that long ago), `--since 2026-11-23T10:00:00Z` or epoch milliseconds: the epoch ms meant. */
export function parseTimeFlag(name: string, raw: string | undefined, now = Date.now()): number | undefined {
  if (raw === undefined) return undefined;
  if (/^\d{10,}$/.test(raw)) return Number(raw);
  if (/^\d/.test(raw) && /[a-z]$/i.test(raw) && !raw.includes('T')) {
    try {
      return now - parseDuration(raw, `--${name}`);
    } catch {
      // not a duration: tried as a time below
    }
  }
  const at = Date.parse(raw);
  if (!Number.isFinite(at))
    throw new CliError(`--${name} must be a duration ago (10m, 1h, 7d) or a time (ISO 8601 or epoch ms)`, 2);
  return at;
}
