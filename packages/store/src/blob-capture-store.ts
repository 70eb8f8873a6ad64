import { diag } from '@opentelemetry/api';
import { ErrorCodes, VigilError } from '@vigil/core';
import { dataOf, groupCaptureFiles, type CaptureFiles } from './capture-files.ts';
import { CAPTURES, captureKey, dayPrefixes, idTime, isCaptureId, isTraceId } from './capture-keys.ts';
import type { BlobEntry, Blobs } from './internal-types.ts';
import { Maintenance } from './maintenance.ts';
import { mapLimit } from './map-limit.ts';
import { parseMetadata, parseTraceList } from './parse-stored.ts';
import { planRetention } from './retention-plan.ts';
import { checkStore } from './store-check.ts';
import { TraceIndex } from './trace-index.ts';
import type {
  CaptureFilter,
  CaptureMetadata,
  CaptureStore,
  RetentionPolicy,
  StoreCheck,
  StoreCounters,
  StoreOptions,
  StoreProblem,
  TraceRef,
} from './types.ts';

const log = diag.createComponentLogger({ namespace: 'vigil/store' });

export const DEFAULT_RETENTION: RetentionPolicy = {
  maxCount: 1_000,
  maxBytes: 1024 ** 3,
  maxAgeMillis: 7 * 24 * 3_600_000,
};
const DEFAULT_ORPHAN_GRACE_MILLIS = 3_600_000;
const PARALLEL_READS = 16;
/** Distinct corrupt files remembered, so that each is reported once, not at every listing. */
const MAX_REPORTED = 10_000;

/**
 * A capture store over a blob backend: the layout, metadata checks, trace index, retention and upkeep written once,
 * the same on disk and on S3 (see capture-keys.ts for the layout).
 */
export class BlobCaptureStore implements CaptureStore {
  readonly location: string;
  protected readonly blobs: Blobs;
  readonly #retention: RetentionPolicy;
  readonly #orphanGraceMillis: number;
  readonly #onError: StoreOptions['onError'];
  readonly #index: TraceIndex;
  readonly #maintenance: Maintenance | undefined;
  readonly #reported = new Set<string>();
  protected readonly stats: StoreCounters = { skipped: 0, uploadRetries: 0, uploadFailures: 0 };
  #live: Set<string> | undefined;

  constructor(blobs: Blobs, retention: Partial<RetentionPolicy>, options: StoreOptions, defaultIntervalMillis: number) {
    this.blobs = blobs;
    this.location = blobs.location;
    this.#retention = { ...DEFAULT_RETENTION, ...retention };
    this.#orphanGraceMillis = options.orphanGraceMillis ?? DEFAULT_ORPHAN_GRACE_MILLIS;
    this.#onError = options.onError;
    this.#index = new TraceIndex(blobs, (key, kind, reason) => this.#skip(key, kind, reason));
    this.#maintenance =
      options.maintenance === false
        ? undefined
        : new Maintenance(
            () => this.maintain(),
            options.maintenanceIntervalMillis ?? defaultIntervalMillis,
            (e, what) => this.#report(e, what),
          );
  }

  async put(
    metadata: Omit<CaptureMetadata, 'bytes' | 'traceCount'>,
    data: Uint8Array,
    traces: readonly TraceRef[] = [],
  ): Promise<CaptureMetadata> {
    const { id } = metadata;
    if (!isCaptureId(id)) throw new VigilError(ErrorCodes.STORE_WRITE, `not a capture id: ${String(id).slice(0, 64)}`);
    const full: CaptureMetadata = { ...metadata, bytes: data.byteLength, traceCount: traces.length };
    const metadataKey = captureKey(id, 'metadata');
    if ((await this.blobs.size(metadataKey, true)) !== undefined) throw idTaken(id, this.location);
    void this.#ensureIndex(); // in the background: a damaged index is rebuilt, but never holds up a write
    const sorted = [...traces].sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0));
    await Promise.all([
      this.blobs.put(captureKey(id, full.format === 'heapsnapshot' ? 'snapshot' : 'data'), data),
      // The trace list before the index segment: a rebuild that finds the segment then finds the list too.
      (async () => {
        if (sorted.length === 0) return;
        await this.blobs.put(captureKey(id, 'traces'), JSON.stringify(sorted));
        await this.#index.add(
          id,
          sorted.map((t) => t.traceId),
        );
      })(),
    ]);
    // Last: from this moment the capture is listed, and everything it points at is there.
    if (!(await this.blobs.putIfAbsent(metadataKey, `${JSON.stringify(full, null, 2)}\n`)))
      throw idTaken(id, this.location);
    this.#maintenance?.request();
    return full;
  }

  async metadata(id: string): Promise<CaptureMetadata | undefined> {
    if (!isCaptureId(id)) return undefined;
    const key = captureKey(id, 'metadata');
    const bytes = await this.blobs.get(key);
    if (bytes === undefined) return undefined;
    const parsed = parseMetadata(bytes.toString('utf8'), id);
    if (typeof parsed === 'string') return this.#skip(key, 'corrupt-metadata', parsed);
    return parsed;
  }

  async get(id: string): Promise<{ metadata: CaptureMetadata; data: Buffer } | undefined> {
    const metadata = await this.metadata(id);
    if (metadata === undefined) return undefined;
    const key = captureKey(id, metadata.format === 'heapsnapshot' ? 'snapshot' : 'data');
    const data = await this.blobs.get(key);
    if (data === undefined) return undefined; // removed by retention since the metadata was read
    if (data.length !== metadata.bytes) {
      const reason = `its data is ${data.length} bytes, its metadata says ${metadata.bytes}`;
      this.#skip(key, 'truncated-data', reason);
      throw new VigilError(ErrorCodes.STORE_CORRUPT, `capture ${id} is corrupt: ${reason}`);
    }
    return { metadata, data };
  }

  async traces(id: string): Promise<TraceRef[]> {
    if (!isCaptureId(id)) return [];
    const key = captureKey(id, 'traces');
    const bytes = await this.blobs.get(key);
    if (bytes === undefined) return [];
    const parsed = parseTraceList(bytes.toString('utf8'));
    if (typeof parsed === 'string') return this.#skip(key, 'corrupt-trace-list', parsed) ?? [];
    return parsed;
  }

  async list(filter: CaptureFilter = {}): Promise<CaptureMetadata[]> {
    const limit = filter.limit ?? 100;
    let candidates: { id: string; data?: BlobEntry }[];
    if (filter.traceId !== undefined) {
      if (!isTraceId(filter.traceId)) return [];
      await this.#ensureIndex();
      candidates = (await this.#index.lookup(filter.traceId, filter.since, filter.until)).map((id) => ({ id }));
    } else {
      const prefixes = dayPrefixes(filter.since, filter.until) ?? [CAPTURES];
      const entries = (await Promise.all(prefixes.map((p) => this.blobs.list(p)))).flat();
      candidates = groupCaptureFiles(entries)
        .captures.filter((c) => c.parts.metadata !== undefined)
        .map((c) => ({ id: c.id, data: dataOf(c) ?? { key: '', size: -1, modifiedMillis: 0 } }));
    }
    candidates = candidates
      .filter((c) => filter.until === undefined || idTime(c.id) <= filter.until)
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const out: CaptureMetadata[] = [];
    for (let i = 0; i < candidates.length && out.length < limit; i += PARALLEL_READS) {
      const batch = await mapLimit(candidates.slice(i, i + PARALLEL_READS), PARALLEL_READS, (c) =>
        this.#listed(c.id, c.data, filter),
      );
      for (const m of batch) if (m !== undefined && out.length < limit) out.push(m);
    }
    return out;
  }

  /** A listing candidate's metadata when it is whole and matches the filter. */
  async #listed(id: string, data: BlobEntry | undefined, filter: CaptureFilter): Promise<CaptureMetadata | undefined> {
    const m = await this.metadata(id);
    if (m === undefined || !matches(m, filter)) return undefined;
    const dataKey = captureKey(id, m.format === 'heapsnapshot' ? 'snapshot' : 'data');
    const size = data !== undefined ? (data.size >= 0 ? data.size : undefined) : await this.blobs.size(dataKey);
    if (size === undefined) return this.#skip(dataKey, 'missing-data', 'the metadata is there, its data is not');
    if (size !== m.bytes)
      return this.#skip(dataKey, 'truncated-data', `its data is ${size} bytes, its metadata says ${m.bytes}`);
    if (filter.spanId !== undefined) {
      const traces = await this.traces(id);
      if (
        !traces.some(
          (t) => (filter.traceId === undefined || t.traceId === filter.traceId) && t.spanIds.includes(filter.spanId!),
        )
      )
        return undefined;
    }
    return m;
  }

  async usage(): Promise<{ count: number; bytes: number }> {
    const { captures } = groupCaptureFiles(await this.blobs.list(CAPTURES));
    const complete = captures.filter((c) => c.parts.metadata !== undefined);
    return { count: complete.length, bytes: complete.reduce((sum, c) => sum + (dataOf(c)?.size ?? 0), 0) };
  }

  /**
   * Removes the oldest captures beyond the policy, and the leftovers of writers that died (files without metadata
   * older than the grace period). No lock: every writer computes the same plan from the same listing and deletes
   * are idempotent, so writers sharing a store (S3 included) may run it at once.
   */
  async enforceRetention(): Promise<string[]> {
    const now = Date.now();
    const { captures } = groupCaptureFiles(await this.blobs.list(CAPTURES));
    const plan = planRetention(captures, this.#retention, now, this.#orphanGraceMillis);
    // Metadata first: from that moment the capture is no longer listed, whatever happens to the rest.
    await this.blobs.delete(plan.doomed.map((c) => c.parts.metadata!.key));
    await this.blobs.delete([...plan.doomed, ...plan.orphans].flatMap((c) => otherKeys(c)));
    await this.#index.prune(plan.kept[0]?.id, now, this.#orphanGraceMillis);
    this.#live = new Set(plan.kept.map((c) => c.id));
    return plan.doomed.map((c) => c.id);
  }

  async rebuildIndex(): Promise<void> {
    await this.#index.rebuild(await this.#traceLists());
  }

  async maintain(): Promise<void> {
    await this.#ensureIndex();
    await this.enforceRetention();
    await this.#index.compact(this.#live, Date.now(), this.#orphanGraceMillis);
  }

  check(): Promise<StoreCheck> {
    return checkStore(this.blobs, this.#index);
  }

  counters(): StoreCounters {
    return { ...this.stats, ...this.blobs.counters?.() };
  }

  async idle(): Promise<void> {
    await this.#maintenance?.idle();
  }

  async close(): Promise<void> {
    this.#maintenance?.close();
  }

  async #traceLists(): Promise<BlobEntry[]> {
    return (await this.blobs.list(CAPTURES)).filter((e) => e.key.endsWith('.traces.json'));
  }

  /** The index is derived data: a lookup uses whatever is there when it cannot be rebuilt now (reported). */
  async #ensureIndex(): Promise<void> {
    await this.#index
      .ensure(() => this.#traceLists())
      .catch((error: unknown) => this.#report(error, 'trace index rebuild'));
  }

  /** Reports a file skipped as corrupt, once per file; returns undefined for the caller to return. */
  #skip(key: string, kind: StoreProblem['kind'], reason: string): undefined {
    if (this.#reported.has(key) || this.#reported.size >= MAX_REPORTED) return undefined;
    this.#reported.add(key);
    this.stats.skipped++;
    this.#report(
      new VigilError(
        ErrorCodes.STORE_CORRUPT,
        `${this.location}/${key} is skipped (${kind}): ${reason}; \`vigil doctor --store ${this.location}\` lists such files`,
      ),
      'store file',
    );
    return undefined;
  }

  protected report(error: unknown, what: string): void {
    this.#report(error, what);
  }

  #report(error: unknown, what: string): void {
    if (this.#onError !== undefined) {
      try {
        this.#onError(error, what);
        return;
      } catch {
        // a reporter that throws is not worth losing the report: log it below
      }
    }
    log.warn(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function matches(m: CaptureMetadata, filter: CaptureFilter): boolean {
  if (filter.since !== undefined && Date.parse(m.endedAt) < filter.since) return false;
  if (filter.type !== undefined && m.type !== filter.type) return false;
  if (filter.rule !== undefined && m.reason.name !== filter.rule) return false;
  if (filter.reason !== undefined && m.reason.kind !== filter.reason) return false;
  if (filter.service !== undefined && m.service !== filter.service) return false;
  if (filter.host !== undefined && m.host !== filter.host) return false;
  if (filter.pid !== undefined && m.pid !== filter.pid) return false;
  return true;
}

function otherKeys(files: CaptureFiles): string[] {
  return Object.entries(files.parts)
    .filter(([part]) => part !== 'metadata')
    .map(([, entry]) => entry.key);
}

function idTaken(id: string, location: string): VigilError {
  return new VigilError(ErrorCodes.STORE_WRITE, `capture id ${id} is taken in ${location}: not overwritten`);
}
