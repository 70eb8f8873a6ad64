import { REASON_KINDS } from './reason-kinds.ts';
import type { CaptureMetadata, TraceRef } from './types.ts';

const TYPES = new Set(['cpu', 'heap', 'handles', 'heapsnapshot']);
const KINDS = new Set<string>(REASON_KINDS);

/**
 * Metadata as read back from the store, checked field by field: a file holding `null`, `{}` or another program's JSON
 * is reported (the reason) instead of reaching the code that lists and serves captures.
 */
export function parseMetadata(text: string, id: string): CaptureMetadata | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const m = value as Record<string, unknown>;
  if (m.id !== id) return `its id ${JSON.stringify(m.id)?.slice(0, 40)} is not the file's`;
  if (typeof m.type !== 'string' || !TYPES.has(m.type)) return 'no valid type';
  if (m.format !== 'pprof' && m.format !== 'heapsnapshot') return 'no valid format';
  for (const key of ['service', 'host'] as const) if (typeof m[key] !== 'string') return `no ${key}`;
  for (const key of ['startedAt', 'endedAt'] as const)
    if (typeof m[key] !== 'string' || !Number.isFinite(Date.parse(m[key]))) return `no valid ${key}`;
  for (const key of ['pid', 'bytes', 'samples', 'traceCount'] as const) {
    if (typeof m[key] !== 'number' || !Number.isSafeInteger(m[key]) || m[key] < 0) return `no valid ${key}`;
  }
  const reason = m.reason as Record<string, unknown> | null | undefined;
  if (typeof reason !== 'object' || reason === null || typeof reason.kind !== 'string' || !KINDS.has(reason.kind))
    return 'no valid reason';
  if (reason.name !== undefined && typeof reason.name !== 'string') return 'no valid reason name';
  return m as unknown as CaptureMetadata;
}

/** A capture's trace list (`<id>.traces.json`), or the reason it is not one. */
export function parseTraceList(text: string): TraceRef[] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (!Array.isArray(value)) return 'not a JSON array';
  for (const t of value as unknown[]) {
    const ref = t as Partial<TraceRef> | null;
    if (
      typeof ref !== 'object' ||
      ref === null ||
      typeof ref.traceId !== 'string' ||
      !Array.isArray(ref.spanIds) ||
      !ref.spanIds.every((s) => typeof s === 'string')
    ) {
      return 'an entry is not {traceId, spanIds}';
    }
  }
  return value as TraceRef[];
}
