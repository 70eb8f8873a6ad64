import { readdir, readFile, rm, stat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { writeAtomic, TEMP_PREFIX } from './atomic-write.ts';
import { dayDir, idTime, isCaptureId, isTraceId } from './capture-path.ts';
import { withDirLock } from './dir-lock.ts';
import type { CaptureFilter, CaptureMetadata, CaptureStore, RetentionPolicy, TraceRef } from './types.ts';

const log = diag.createComponentLogger({ namespace: 'vigil/store' });
const INDEX_VERSION = 'vigil-trace-index v1\n';

export const DEFAULT_RETENTION: RetentionPolicy = { maxCount: 1_000, maxBytes: 1024 ** 3, maxAgeMillis: 7 * 24 * 3_600_000 };

/**
 * Captures on the local filesystem, laid out as DESIGN.md says:
 *   captures/YYYY/MM/DD/<id>.pb.gz, <id>.json, <id>.traces.json
 *   traces/<trace_id>/<id>            (empty: the name is the pointer)
 * Every file is written atomically (temp + rename), the metadata last: a capture is listed only when complete, and a
 * crash mid-write leaves nothing listed. Several processes may share one directory: ids never collide, renames are
 * atomic, deletions tolerate races, and retention runs under a directory lock.
 */
export class FileStore implements CaptureStore {
  readonly location: string;
  readonly #root: string;
  readonly #retention: RetentionPolicy;
  #indexChecked: Promise<void> | undefined;

  constructor(root: string, retention: Partial<RetentionPolicy> = {}) {
    this.#root = root;
    this.location = `file://${root}`;
    this.#retention = { ...DEFAULT_RETENTION, ...retention };
  }

  async put(metadata: Omit<CaptureMetadata, 'bytes' | 'traceCount'>, data: Uint8Array, traces: readonly TraceRef[] = []): Promise<CaptureMetadata> {
    if (!isCaptureId(metadata.id)) throw new Error(`not a capture id: ${metadata.id}`);
    await this.#ensureIndex();
    const dir = dayDir(this.#root, metadata.id);
    const full: CaptureMetadata = { ...metadata, bytes: data.byteLength, traceCount: traces.length };
    await writeAtomic(join(dir, `${metadata.id}${extension(full)}`), data);
    if (traces.length > 0) {
      await writeAtomic(join(dir, `${metadata.id}.traces.json`), JSON.stringify(traces));
      await Promise.all(
        traces
          .filter((t) => isTraceId(t.traceId))
          .map(async (t) => {
            const entryDir = join(this.#root, 'traces', t.traceId);
            await mkdir(entryDir, { recursive: true });
            await writeFile(join(entryDir, metadata.id), '');
          }),
      );
    }
    await writeAtomic(join(dir, `${metadata.id}.json`), `${JSON.stringify(full, null, 2)}\n`);
    return full;
  }

  async metadata(id: string): Promise<CaptureMetadata | undefined> {
    if (!isCaptureId(id)) return undefined;
    try {
      return JSON.parse(await readFile(join(dayDir(this.#root, id), `${id}.json`), 'utf8')) as CaptureMetadata;
    } catch {
      return undefined;
    }
  }

  async get(id: string): Promise<{ metadata: CaptureMetadata; data: Buffer } | undefined> {
    const metadata = await this.metadata(id);
    if (metadata === undefined) return undefined;
    try {
      return { metadata, data: await readFile(join(dayDir(this.#root, id), `${id}${extension(metadata)}`)) };
    } catch {
      return undefined;
    }
  }

  async traces(id: string): Promise<TraceRef[]> {
    if (!isCaptureId(id)) return [];
    try {
      return JSON.parse(await readFile(join(dayDir(this.#root, id), `${id}.traces.json`), 'utf8')) as TraceRef[];
    } catch {
      return [];
    }
  }

  async list(filter: CaptureFilter = {}): Promise<CaptureMetadata[]> {
    const limit = filter.limit ?? 100;
    const ids = filter.traceId !== undefined ? await this.#idsForTrace(filter.traceId) : await this.#allIds();
    const out: CaptureMetadata[] = [];
    for (const id of ids.sort().reverse()) {
      if (out.length >= limit) break;
      const at = idTime(id);
      if (filter.until !== undefined && at > filter.until) continue;
      const metadata = await this.metadata(id);
      if (metadata === undefined) continue;
      if (filter.since !== undefined && Date.parse(metadata.endedAt) < filter.since) continue;
      if (filter.type !== undefined && metadata.type !== filter.type) continue;
      if (filter.rule !== undefined && metadata.reason.name !== filter.rule) continue;
      if (filter.spanId !== undefined) {
        const traces = await this.traces(id);
        if (!traces.some((t) => (filter.traceId === undefined || t.traceId === filter.traceId) && t.spanIds.includes(filter.spanId!))) continue;
      }
      out.push(metadata);
    }
    return out;
  }

  async usage(): Promise<{ count: number; bytes: number }> {
    const ids = await this.#allIds();
    const sizes = await Promise.all(ids.map((id) => this.#sizeOf(id)));
    return { count: ids.length, bytes: sizes.reduce((a, b) => a + b, 0) };
  }

  async enforceRetention(): Promise<string[]> {
    await mkdir(this.#root, { recursive: true });
    const removed = await withDirLock(join(this.#root, '.retention.lock'), 60_000, async () => {
      const ids = (await this.#allIds()).sort(); // oldest first
      const now = Date.now();
      const sizes = await Promise.all(ids.map((id) => this.#sizeOf(id)));
      let totalBytes = sizes.reduce((a, b) => a + b, 0);
      let count = ids.length;
      const doomed: string[] = [];
      for (let i = 0; i < ids.length; i++) {
        const tooOld = now - idTime(ids[i]!) > this.#retention.maxAgeMillis;
        if (!tooOld && count <= this.#retention.maxCount && totalBytes <= this.#retention.maxBytes) break;
        doomed.push(ids[i]!);
        count--;
        totalBytes -= sizes[i]!;
      }
      for (const id of doomed) await this.#remove(id);
      return doomed;
    });
    return removed ?? [];
  }

  async rebuildIndex(): Promise<void> {
    await rm(join(this.#root, 'traces'), { recursive: true, force: true });
    await mkdir(join(this.#root, 'traces'), { recursive: true });
    for (const id of await this.#allIds()) {
      for (const t of await this.traces(id)) {
        if (!isTraceId(t.traceId)) continue;
        const entryDir = join(this.#root, 'traces', t.traceId);
        await mkdir(entryDir, { recursive: true });
        await writeFile(join(entryDir, id), '');
      }
    }
    await writeAtomic(join(this.#root, 'traces', 'VERSION'), INDEX_VERSION);
  }

  /** The trace index is derived data: rebuilt when missing or unreadable (once per store object). */
  #ensureIndex(): Promise<void> {
    this.#indexChecked ??= (async () => {
      await mkdir(this.#root, { recursive: true });
      const version = await readFile(join(this.#root, 'traces', 'VERSION'), 'utf8').catch(() => undefined);
      if (version === INDEX_VERSION) return;
      log.info(`trace index ${version === undefined ? 'missing' : 'unreadable'} in ${this.#root}: rebuilding it from the captures`);
      await withDirLock(join(this.#root, '.index.lock'), 60_000, () => this.rebuildIndex());
    })();
    // A failure (a full disk, a permission) is retried by the next call rather than remembered forever.
    this.#indexChecked.catch(() => (this.#indexChecked = undefined));
    return this.#indexChecked;
  }

  async #idsForTrace(traceId: string): Promise<string[]> {
    if (!isTraceId(traceId)) return [];
    await this.#ensureIndex();
    return (await readdir(join(this.#root, 'traces', traceId)).catch(() => [] as string[])).filter(isCaptureId);
  }

  async #allIds(): Promise<string[]> {
    const ids: string[] = [];
    const base = join(this.#root, 'captures');
    for (const year of await readdir(base).catch(() => [] as string[])) {
      for (const month of await readdir(join(base, year)).catch(() => [] as string[])) {
        for (const day of await readdir(join(base, year, month)).catch(() => [] as string[])) {
          for (const name of await readdir(join(base, year, month, day)).catch(() => [] as string[])) {
            if (name.endsWith('.json') && !name.endsWith('.traces.json')) {
              const id = name.slice(0, -'.json'.length);
              if (isCaptureId(id)) ids.push(id);
            } else if (name.startsWith(TEMP_PREFIX)) {
              void this.#sweepTemp(join(base, year, month, day, name));
            }
          }
        }
      }
    }
    return ids;
  }

  async #sizeOf(id: string): Promise<number> {
    const dir = dayDir(this.#root, id);
    let bytes = 0;
    for (const suffix of ['.pb.gz', '.heapsnapshot']) bytes += await stat(join(dir, `${id}${suffix}`)).then((s) => s.size, () => 0);
    return bytes;
  }

  async #remove(id: string): Promise<void> {
    const dir = dayDir(this.#root, id);
    const traces = await this.traces(id);
    // Metadata first: from that moment the capture is no longer listed, whatever happens to the rest.
    await rm(join(dir, `${id}.json`), { force: true });
    await Promise.all([
      rm(join(dir, `${id}.pb.gz`), { force: true }),
      rm(join(dir, `${id}.heapsnapshot`), { force: true }),
      rm(join(dir, `${id}.traces.json`), { force: true }),
      ...traces.filter((t) => isTraceId(t.traceId)).map((t) => rm(join(this.#root, 'traces', t.traceId, id), { force: true })),
    ]);
  }

  /** Temp files of a writer that crashed: removed once they are clearly abandoned. */
  async #sweepTemp(path: string): Promise<void> {
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > 3_600_000) await rm(path, { force: true }).catch(() => undefined);
  }
}

function extension(metadata: Pick<CaptureMetadata, 'format'>): string {
  return metadata.format === 'heapsnapshot' ? '.heapsnapshot' : '.pb.gz';
}
