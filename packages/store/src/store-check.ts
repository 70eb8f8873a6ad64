import { dataOf, groupCaptureFiles, lastTouched } from './capture-files.ts';
import { CAPTURES, captureKey } from './capture-keys.ts';
import type { Blobs } from './internal-types.ts';
import { mapLimit } from './map-limit.ts';
import { parseMetadata, parseTraceList } from './parse-stored.ts';
import type { TraceIndex } from './trace-index.ts';
import type { StoreCheck, StoreProblem } from './types.ts';

const PARALLEL_READS = 16;

/** Reads every file of a store and says what a listing would skip, and why. Read-only: `vigil doctor`. */
export async function checkStore(blobs: Blobs, index: TraceIndex): Promise<StoreCheck> {
  const problems: StoreProblem[] = [];
  const { captures, foreign } = groupCaptureFiles(await blobs.list(CAPTURES));
  for (const entry of foreign)
    problems.push({ key: entry.key, kind: 'foreign', detail: 'not a file of the capture store: left alone' });
  let count = 0;
  let bytes = 0;
  await mapLimit(captures, PARALLEL_READS, async (files) => {
    const data = dataOf(files);
    if (files.parts.metadata === undefined) {
      const minutes = Math.round((Date.now() - lastTouched(files)) / 60_000);
      for (const entry of Object.values(files.parts))
        problems.push({
          key: entry.key,
          kind: 'orphan',
          detail: `no metadata beside it (untouched for ${minutes} min); retention reclaims it after the grace period`,
        });
      return;
    }
    const text = (await blobs.get(files.parts.metadata.key))?.toString('utf8');
    if (text === undefined) return; // removed meanwhile
    const metadata = parseMetadata(text, files.id);
    if (typeof metadata === 'string') {
      problems.push({ key: files.parts.metadata.key, kind: 'corrupt-metadata', detail: metadata });
      return;
    }
    const dataKey = captureKey(files.id, metadata.format === 'heapsnapshot' ? 'snapshot' : 'data');
    if (data === undefined || data.key !== dataKey) {
      problems.push({ key: dataKey, kind: 'missing-data', detail: 'the metadata is there, its data is not' });
      return;
    }
    if (data.size !== metadata.bytes) {
      problems.push({
        key: data.key,
        kind: 'truncated-data',
        detail: `${data.size} bytes, the metadata says ${metadata.bytes}`,
      });
      return;
    }
    if (files.parts.traces !== undefined) {
      const traces = (await blobs.get(files.parts.traces.key))?.toString('utf8');
      const parsed = traces === undefined ? [] : parseTraceList(traces);
      if (typeof parsed === 'string')
        problems.push({ key: files.parts.traces.key, kind: 'corrupt-trace-list', detail: parsed });
    }
    count++;
    bytes += data.size;
  });
  const segments = await index.segments();
  for (const entry of segments.foreign)
    problems.push({ key: entry.key, kind: 'foreign', detail: 'not a file of the trace index: left alone' });
  await mapLimit(segments.segments, PARALLEL_READS, async (segment) => {
    const { head, bytes: read } = await index.readHead(segment);
    if (read !== undefined && head === undefined)
      problems.push({
        key: segment.key,
        kind: 'corrupt-index',
        detail: 'not a trace index segment, or cut short; `rebuildIndex()` replaces it',
      });
  });
  const version = await index.version();
  if (version !== undefined && !version.current)
    problems.push({
      key: version.key,
      kind: 'index-version',
      detail: `holds ${JSON.stringify(version.text.slice(0, 40))}: the index is rebuilt on the next write or lookup`,
    });
  problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { location: blobs.location, captures: count, bytes, indexSegments: segments.segments.length, problems };
}
