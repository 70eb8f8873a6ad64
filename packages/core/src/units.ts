import { invalidValue } from './errors.ts';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const DURATION_EXPECTED = 'a number of milliseconds or a string like "500ms", "10s", "5m", "1h"';
const BYTES_EXPECTED = 'a number of bytes or a string like "512KiB", "64MiB", "1GiB", "10MB"';
const QUANTITY = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Parses `10s`, `500ms`, `1.5m`, `2h` or a plain number of milliseconds. */
export function parseDuration(value: unknown, field = 'duration'): number {
  return parseQuantity(value, field, DURATION_UNITS, 'ms', DURATION_EXPECTED);
}

/** Parses `512MiB`, `10MB`, `1GiB` or a plain number of bytes. */
export function parseBytes(value: unknown, field = 'size'): number {
  return parseQuantity(value, field, BYTE_UNITS, 'b', BYTES_EXPECTED);
}

function parseQuantity(
  value: unknown,
  field: string,
  units: Record<string, number>,
  plainUnit: string,
  expected: string,
): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw invalidValue(field, value, expected);
  }
  if (typeof value !== 'string') throw invalidValue(field, value, expected);
  const match = QUANTITY.exec(value);
  const factor = match ? units[(match[2] || plainUnit).toLowerCase()] : undefined;
  if (!match || factor === undefined) throw invalidValue(field, value, expected);
  return Number(match[1]) * factor;
}

/** Formats milliseconds the way users write them (`1.5s`, `250ms`, `2m`). */
export function formatDuration(millis: number): string {
  if (millis >= 3_600_000 && millis % 3_600_000 === 0) return `${millis / 3_600_000}h`;
  if (millis >= 60_000 && millis % 60_000 === 0) return `${millis / 60_000}m`;
  if (millis >= 1_000) return `${+(millis / 1_000).toFixed(3)}s`;
  return `${+millis.toFixed(3)}ms`;
}

/** Formats a byte count the way users write sizes (`16MiB`, `1GiB`, `512KiB`), else as plain bytes. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}`;
}
