import { parseBytes, parseDuration } from '@vigil/core';

/** What a threshold is written in; compared with the instrument's unit when the metric first appears. */
export type QuantityKind = 'duration' | 'size' | 'ratio' | 'number';

export interface Quantity {
  /** In the base unit: seconds, bytes, a ratio (0.9), a number. */
  value: number;
  kind: QuantityKind;
}

export const QUANTITY_TEXT =
  'a duration ("200ms"), a size ("512MiB", "2MiB/s"), a percentage ("90%") or a plain number';

/** Parses a threshold: "200ms", "512MiB", "2MiB/s" (per second: for deriv and rate), "90%", 0.9, 1000. */
export function parseQuantity(raw: unknown): Quantity | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? { value: raw, kind: 'number' } : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().replace(/\s*\/\s*s$/, '');
  if (/^\d+(\.\d+)?$/.test(text)) return { value: Number(text), kind: 'number' };
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) return { value: Number(percent[1]) / 100, kind: 'ratio' };
  if (/^\d+(\.\d+)?\s*(ms|s|m|h)$/.test(text))
    return { value: parseDuration(text, 'threshold') / 1_000, kind: 'duration' };
  if (/^\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib)$/i.test(text))
    return { value: parseBytes(text, 'threshold'), kind: 'size' };
  return undefined;
}
