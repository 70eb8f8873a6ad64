import { CAPTURE_ID_PATTERN } from '@vigil/core';

/**
 * The layout, the same on disk and on S3:
 *   captures/YYYY/MM/DD/<id>.pb.gz | <id>.heapsnapshot   the data
 *   captures/YYYY/MM/DD/<id>.traces.json                 the traces (with span ids) its samples carry
 *   captures/YYYY/MM/DD/<id>.json                        the metadata, written last: a capture exists once it does
 *   index/…                                              the trace index (trace-index.ts)
 */
export const CAPTURES = 'captures/';

export type CapturePart = 'metadata' | 'data' | 'snapshot' | 'traces';

const SUFFIXES: Record<CapturePart, string> = {
  metadata: '.json',
  data: '.pb.gz',
  snapshot: '.heapsnapshot',
  traces: '.traces.json',
};
const ID = String(CAPTURE_ID_PATTERN.source).slice(1, -1);
const CAPTURE_KEY = new RegExp(
  `^captures/(\\d{4})/(\\d{2})/(\\d{2})/(${ID})(\\.traces\\.json|\\.json|\\.pb\\.gz|\\.heapsnapshot)$`,
);
const PART_OF_SUFFIX = new Map(Object.entries(SUFFIXES).map(([part, suffix]) => [suffix, part as CapturePart]));

/** `captures/YYYY/MM/DD/`, from the timestamp an id starts with. */
export function dayPrefix(id: string): string {
  return `${CAPTURES}${id.slice(0, 4)}/${id.slice(4, 6)}/${id.slice(6, 8)}/`;
}

export function captureKey(id: string, part: CapturePart): string {
  return `${dayPrefix(id)}${id}${SUFFIXES[part]}`;
}

/** The id and part a key names, or undefined for a file that is not the store's (a foreign file). */
export function parseCaptureKey(key: string): { id: string; part: CapturePart } | undefined {
  const match = CAPTURE_KEY.exec(key);
  if (match === null) return undefined;
  const id = match[4]!;
  // The folder must be the id's own day: a file moved elsewhere would never be found by its id.
  if (`${match[1]}${match[2]}${match[3]}` !== id.slice(0, 8)) return undefined;
  return { id, part: PART_OF_SUFFIX.get(match[5]!)! };
}

/** The epoch ms an id was made at. */
export function idTime(id: string): number {
  const iso = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}.${id.slice(15, 18)}Z`;
  return Date.parse(iso);
}

export function isCaptureId(id: string): boolean {
  return CAPTURE_ID_PATTERN.test(id);
}

/** Trace ids are 32 hex characters (W3C); anything else never reaches a key. */
export function isTraceId(traceId: string): boolean {
  return /^[0-9a-f]{32}$/.test(traceId);
}

/** The day folders from `since` to `until`, or undefined when listing everything is as cheap. */
export function dayPrefixes(
  since: number | undefined,
  until: number | undefined,
  now = Date.now(),
): string[] | undefined {
  if (since === undefined) return undefined;
  // A capture is filed under the day it started; one that ended after `since` may have started the day before.
  const from = Math.floor((since - 3_600_000) / 86_400_000);
  const to = Math.floor(Math.min(until ?? now, now + 86_400_000) / 86_400_000);
  if (to < from) return [];
  if (to - from > 62) return undefined;
  const out: string[] = [];
  for (let day = from; day <= to; day++) {
    const iso = new Date(day * 86_400_000).toISOString();
    out.push(`${CAPTURES}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/`);
  }
  return out;
}
