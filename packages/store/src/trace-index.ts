import { createHash, randomBytes } from 'node:crypto';
import { CAPTURE_ID_PATTERN } from '@vigil/core';
import { idTime, isTraceId, parseCaptureKey } from './capture-keys.ts';
import type { BlobEntry, Blobs } from './internal-types.ts';
import { mapLimit } from './map-limit.ts';
import { parseTraceList } from './parse-stored.ts';
import {
  HEAD_BYTES,
  RECORD_BYTES,
  bucketOf,
  captureIdsIn,
  encodeSegment,
  parseHead,
  records,
} from './trace-segment.ts';

export const INDEX = 'index/';
const VERSION_KEY = `${INDEX}VERSION`;
const VERSION = 'vigil-trace-index v2\n';
const ID = String(CAPTURE_ID_PATTERN.source).slice(1, -1);
const SEGMENT_KEY = new RegExp(`^index/(${ID})_(${ID})_(\\d{1,9})_([0-9a-f]{1,16})\\.tix$`);
/** Segments merged at once, and the tier width: a tier holds segments of up to FANIN^tier captures. */
const FANIN = 16;
/** A merge holds its inputs in memory: it stays under this (busy captures stay in more, smaller segments). */
const MAX_MERGE_BYTES = 32 * 1024 * 1024;
const REBUILD_CHUNK_RECORDS = 100_000;
const HEAD_READ = HEAD_BYTES + 64 * 1024;
const PARALLEL_READS = 16;

export interface Segment extends BlobEntry {
  first: string;
  last: string;
  captures: number;
}

export type ProblemReporter = (
  key: string,
  kind: 'corrupt-index' | 'corrupt-trace-list' | 'index-version',
  reason: string,
) => void;

/**
 * The trace index: which captures hold a trace id, without reading the captures. A capture adds one segment (one
 * object write, whatever its trace count); maintenance merges segments sixteen at a time into larger ones, so a store
 * of N captures holds about 15·log16(N) segments and a lookup reads each one's head and one range. Writers never
 * coordinate: two merging the same segments write the same result, entries of removed captures are dropped at merge
 * time, and a lookup checks every hit against the capture's metadata anyway.
 */
export class TraceIndex {
  readonly #blobs: Blobs;
  readonly #report: ProblemReporter;
  #ready: Promise<void> | undefined;

  constructor(blobs: Blobs, report: ProblemReporter) {
    this.#blobs = blobs;
    this.#report = report;
  }

  /** The segment of one capture: one write. */
  async add(id: string, traceIds: readonly string[]): Promise<void> {
    const valid = traceIds.filter(isTraceId);
    if (valid.length === 0) return;
    await this.#blobs.put(segmentKey(id, id, 1, '0'), encodeSegment(valid.map((t) => [t, id] as const)));
  }

  /** Ids of the captures whose segments hold `traceId` (not yet checked against the captures themselves). */
  async lookup(traceId: string, since?: number, until?: number): Promise<string[]> {
    if (!isTraceId(traceId)) return [];
    const { segments } = await this.segments();
    const inRange = segments.filter(
      (s) =>
        (until === undefined || idTime(s.first) <= until) &&
        (since === undefined || idTime(s.last) >= since - 3_600_000),
    );
    const found = await mapLimit(inRange, PARALLEL_READS, (s) => this.#find(s, traceId));
    return [...new Set(found.flat())];
  }

  /** The index's segments (with their sizes), and the files under `index/` that are not. */
  async segments(): Promise<{ segments: Segment[]; foreign: BlobEntry[] }> {
    const segments: Segment[] = [];
    const foreign: BlobEntry[] = [];
    for (const entry of await this.#blobs.list(INDEX)) {
      const match = SEGMENT_KEY.exec(entry.key);
      if (match !== null) segments.push({ ...entry, first: match[1]!, last: match[2]!, captures: Number(match[3]) });
      else if (entry.key !== VERSION_KEY) foreign.push(entry);
    }
    return { segments, foreign };
  }

  /** The version marker, when there is one. */
  async version(): Promise<{ key: string; text: string; current: boolean } | undefined> {
    const text = (await this.#blobs.get(VERSION_KEY))?.toString('utf8');
    return text === undefined ? undefined : { key: VERSION_KEY, text, current: text === VERSION };
  }

  /** A segment's head, or undefined (reported) when it is not one. */
  async readHead(segment: BlobEntry): Promise<{ head: ReturnType<typeof parseHead>; bytes: Buffer | undefined }> {
    const bytes = await this.#blobs.getRange(segment.key, 0, Math.min(segment.size, HEAD_READ));
    if (bytes === undefined) return { head: undefined, bytes }; // removed by a merge since it was listed
    const head = parseHead(bytes, segment.size);
    if (head === undefined) this.#report(segment.key, 'corrupt-index', 'not a trace index segment, or cut short');
    return { head, bytes };
  }

  async #find(segment: Segment, traceId: string): Promise<string[]> {
    const { head, bytes } = await this.readHead(segment);
    if (head === undefined || bytes === undefined) return [];
    const [from, to] = bucketOf(head, traceId);
    if (from === to) return [];
    const start = HEAD_BYTES + from * RECORD_BYTES;
    const end = HEAD_BYTES + to * RECORD_BYTES;
    const slice =
      end <= bytes.length ? bytes.subarray(start, end) : await this.#blobs.getRange(segment.key, start, end);
    return slice === undefined ? [] : captureIdsIn(slice, traceId);
  }

  /**
   * Makes sure the index covers the store: rebuilt from the captures' trace lists when its version marker is missing
   * or not this version (an older layout, a damaged file). Once per store object; a failure is retried next time.
   */
  ensure(traceLists: () => Promise<BlobEntry[]>): Promise<void> {
    this.#ready ??= (async () => {
      const version = (await this.#blobs.get(VERSION_KEY))?.toString('utf8');
      if (version === VERSION) return;
      if (version !== undefined)
        this.#report(
          VERSION_KEY,
          'index-version',
          `holds ${JSON.stringify(version.slice(0, 40))}: rebuilding the index`,
        );
      await this.rebuild(await traceLists());
    })();
    this.#ready.catch(() => (this.#ready = undefined));
    return this.#ready;
  }

  /**
   * Builds the index anew from trace lists, and only then removes what was there before: a rebuild that fails
   * halfway leaves the old index in place. Segments written meanwhile by new captures are kept.
   */
  async rebuild(traceLists: readonly BlobEntry[]): Promise<void> {
    const before = (await this.segments()).segments;
    const sorted = traceLists.map((e) => e.key).sort();
    let chunk: [string, string][] = [];
    const ids = new Set<string>();
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const sortedIds = [...ids].sort();
      await this.#blobs.put(
        segmentKey(sortedIds[0]!, sortedIds.at(-1)!, sortedIds.length, randomBytes(4).toString('hex')),
        encodeSegment(chunk),
      );
      chunk = [];
      ids.clear();
    };
    for (let i = 0; i < sorted.length; i += PARALLEL_READS) {
      const batch = sorted.slice(i, i + PARALLEL_READS);
      const lists = await mapLimit(batch, PARALLEL_READS, async (key) => ({
        key,
        text: (await this.#blobs.get(key))?.toString('utf8'),
      }));
      for (const { key, text } of lists) {
        const id = parseCaptureKey(key)?.id;
        if (text === undefined || id === undefined) continue;
        const parsed = parseTraceList(text);
        if (typeof parsed === 'string') {
          this.#report(key, 'corrupt-trace-list', parsed);
          continue;
        }
        for (const t of parsed) if (isTraceId(t.traceId)) chunk.push([t.traceId, id]);
        ids.add(id);
      }
      if (chunk.length >= REBUILD_CHUNK_RECORDS) await flush();
    }
    await flush();
    await this.#blobs.put(VERSION_KEY, VERSION);
    await this.#blobs.delete(before.map((s) => s.key));
    await this.#blobs.deletePrefix('traces/'); // the one-entry-per-trace layout of v1, now superseded
  }

  /**
   * Merges segments of one tier, sixteen at a time, dropping entries of captures that are gone (not in `live` and
   * older than the grace period, so that a capture still being written keeps its entries). Returns objects written.
   */
  async compact(live: ReadonlySet<string> | undefined, now: number, graceMillis: number): Promise<number> {
    let written = 0;
    // Tier by tier, until no tier holds FANIN segments: a merge's output may fill the next tier.
    for (let round = 0; round < 64; round++) {
      const group = mergeable((await this.segments()).segments);
      if (group === undefined) break;
      written += await this.#merge(group, live, now, graceMillis);
    }
    return written;
  }

  async #merge(
    inputs: Segment[],
    live: ReadonlySet<string> | undefined,
    now: number,
    graceMillis: number,
  ): Promise<number> {
    const read = await mapLimit(inputs, PARALLEL_READS, async (s) => ({ s, bytes: await this.#blobs.get(s.key) }));
    const merged: [string, string][] = [];
    const consumed: string[] = [];
    for (const { s, bytes } of read) {
      if (bytes === undefined) continue; // merged by another process meanwhile: its entries are in that result
      const head = parseHead(bytes, bytes.length);
      if (head === undefined) {
        this.#report(s.key, 'corrupt-index', 'not a trace index segment, or cut short');
        continue;
      }
      for (const [trace, id] of records(bytes, head)) {
        if (live === undefined || live.has(id) || now - idTime(id) < graceMillis) merged.push([trace, id]);
      }
      consumed.push(s.key);
    }
    let written = 0;
    if (merged.length > 0) {
      const ids = [...new Set(merged.map(([, id]) => id))].sort();
      const tag = createHash('sha256').update(consumed.join('\n')).digest('hex').slice(0, 12);
      await this.#blobs.put(segmentKey(ids[0]!, ids.at(-1)!, ids.length, tag), encodeSegment(merged));
      written = 1;
    }
    // Only once the merged segment is stored: until then a lookup still finds every entry in the inputs.
    await this.#blobs.delete(consumed);
    return written;
  }

  /** Removes segments whose every capture is older than the oldest one left (after retention), past the grace period. */
  async prune(oldestLive: string | undefined, now: number, graceMillis: number): Promise<void> {
    const { segments } = await this.segments();
    const dead = segments.filter(
      (s) =>
        (oldestLive === undefined || s.last < oldestLive) &&
        now - s.modifiedMillis > graceMillis &&
        now - idTime(s.last) > graceMillis,
    );
    await this.#blobs.delete(dead.map((s) => s.key));
  }
}

/** The oldest FANIN segments of the lowest tier that has that many (within the merge's memory bound), if any. */
function mergeable(segments: readonly Segment[]): Segment[] | undefined {
  const tiers = new Map<number, Segment[]>();
  for (const s of segments) {
    const tier = Math.floor(Math.log(Math.max(1, s.captures)) / Math.log(FANIN));
    tiers.set(tier, [...(tiers.get(tier) ?? []), s]);
  }
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    const group = tiers.get(tier)!;
    if (group.length < FANIN) continue;
    group.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    const inputs: Segment[] = [];
    let bytes = 0;
    for (const s of group.slice(0, FANIN)) {
      if (bytes + s.size > MAX_MERGE_BYTES) break;
      inputs.push(s);
      bytes += s.size;
    }
    if (inputs.length >= 2) return inputs;
  }
  return undefined;
}

function segmentKey(first: string, last: string, captures: number, tag: string): string {
  return `${INDEX}${first}_${last}_${captures}_${tag}.tix`;
}
