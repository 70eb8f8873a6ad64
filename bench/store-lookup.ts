/**
 * The capture store's trace index (issue #12 item 2), on the filesystem and against a local S3 server (s3rver):
 *   1. object writes per capture holding 5,000 traces, including its share of the index merges;
 *   2. lookup of one trace id among N captures (default 10,000) written by 20 instances, as the CLI does it (a fresh
 *      store object per lookup): latency, and objects read per lookup.
 * `node --conditions=source bench/store-lookup.ts [--captures N] [--lookups N] [--traces-per-capture N] [--only fs|s3]`
 * Not a test: figures to read, on whatever machine runs it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { captureId } from '@vigil/core';
// The store's internals: the bench counts what the store asks of its backend.
import { BlobCaptureStore } from '../packages/store/src/blob-capture-store.ts';
import { FsBlobs } from '../packages/store/src/fs-blobs.ts';
import type { BlobEntry, Blobs } from '../packages/store/src/internal-types.ts';
import { S3Blobs } from '../packages/store/src/s3-blobs.ts';
import { S3rver } from '@vigil/test-helpers/s3rver';

const { values } = parseArgs({
  options: {
    captures: { type: 'string', default: '10000' },
    lookups: { type: 'string', default: '50' },
    'traces-per-capture': { type: 'string', default: '20' },
    only: { type: 'string' },
  },
});
const total = Number(values.captures);
const tracesPerCapture = Number(values['traces-per-capture']);
const INSTANCES = 20;

/** Counts the calls a store makes: writes (PUTs) and reads (GET, ranged GET, HEAD, LIST pages). */
class Counting implements Blobs {
  readonly location: string;
  writes = 0;
  writtenBytes = 0;
  reads = 0;
  lists = 0;
  readonly inner: Blobs;
  constructor(inner: Blobs) {
    this.inner = inner;
    this.location = inner.location;
  }
  reset(): void {
    this.writes = this.writtenBytes = this.reads = this.lists = 0;
  }
  put(key: string, data: Uint8Array | string) {
    this.writes++;
    this.writtenBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    return this.inner.put(key, data);
  }
  putIfAbsent(key: string, data: Uint8Array | string) {
    this.writes++;
    this.writtenBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    return this.inner.putIfAbsent(key, data);
  }
  get(key: string) {
    this.reads++;
    return this.inner.get(key);
  }
  getRange(key: string, start: number, end: number) {
    this.reads++;
    return this.inner.getRange(key, start, end);
  }
  size(key: string, forWrite?: boolean) {
    this.reads++;
    return this.inner.size(key, forWrite);
  }
  async list(prefix: string): Promise<BlobEntry[]> {
    const out = await this.inner.list(prefix);
    this.lists += Math.max(1, Math.ceil(out.length / 1_000)); // S3 answers 1,000 keys a page
    return out;
  }
  delete(keys: readonly string[]) {
    return this.inner.delete(keys);
  }
  deletePrefix(prefix: string) {
    return this.inner.deletePrefix(prefix);
  }
}

function store(blobs: Blobs): BlobCaptureStore {
  return new BlobCaptureStore(blobs, { maxCount: total * 2 }, { maintenance: false }, 0);
}

function metadataAt(at: Date, instance: number) {
  const iso = at.toISOString();
  return {
    id: captureId(at),
    type: 'cpu' as const,
    service: 'bench',
    host: `host-${instance}`,
    pid: 1000 + instance,
    startedAt: iso,
    endedAt: iso,
    reason: { kind: 'manual' as const },
    samples: 10,
    format: 'pprof' as const,
  };
}

/** 1. A busy capture: 5,000 traces. 64 of them, with upkeep as writers run it, and the writes averaged. */
async function writesPerCapture(name: string, open: () => Counting): Promise<void> {
  const blobs = open();
  const s = store(blobs);
  const n = 64;
  for (let i = 0; i < n; i++) {
    const traces = Array.from({ length: 5_000 }, () => ({
      traceId: randomBytes(16).toString('hex'),
      spanIds: [randomBytes(8).toString('hex')],
    }));
    await s.put(metadataAt(new Date(Date.now() - (n - i) * 1_000), i % INSTANCES), randomBytes(64 * 1024), traces);
    if (i === 0)
      console.log(
        `  ${name}: one capture with 5,000 traces: ${blobs.writes} object writes (${(blobs.writtenBytes / 1024).toFixed(0)} KiB)`,
      );
    if (i % 16 === 15) await s.maintain();
  }
  await s.maintain();
  console.log(
    `  ${name}: ${n} such captures with upkeep: ${(blobs.writes / n).toFixed(2)} object writes per capture (${(blobs.writtenBytes / n / 1024).toFixed(0)} KiB)`,
  );
}

/** 2. N captures from 20 instances, then lookups by trace id through fresh store objects. */
async function lookups(name: string, open: () => Counting): Promise<void> {
  const writers = Array.from({ length: INSTANCES }, () => store(open()));
  const wanted: string[] = [];
  const start = Date.now() - total * 500;
  const fill = performance.now();
  const batch = name === 'fs' ? 100 : 40;
  for (let i = 0; i < total; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, total - i) }, (_, k) => {
        const n = i + k;
        const refs = Array.from({ length: tracesPerCapture }, () => ({
          traceId: randomBytes(16).toString('hex'),
          spanIds: [randomBytes(8).toString('hex')],
        }));
        if (n % Math.ceil(total / 200) === 0) wanted.push(refs[0]!.traceId);
        return writers[n % INSTANCES]!.put(
          metadataAt(new Date(start + n * 500), n % INSTANCES),
          randomBytes(512),
          refs,
        );
      }),
    );
    // Upkeep as writers would run it: every so often, by one of them.
    if ((i / batch) % 5 === 4) await writers[(i / batch) % INSTANCES]!.maintain();
  }
  await writers[0]!.maintain();
  const fillSeconds = (performance.now() - fill) / 1e3;
  const times: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < Number(values.lookups); i++) {
    const traceId = wanted[i % wanted.length]!;
    const blobs = open();
    const t = performance.now();
    const found = await store(blobs).list({ traceId });
    times.push(performance.now() - t);
    reads.push(blobs.reads + blobs.lists);
    if (found.length !== 1) throw new Error(`${name}: expected 1 capture for ${traceId}, found ${found.length}`);
  }
  const check = await store(open()).check();
  times.sort((a, b) => a - b);
  reads.sort((a, b) => a - b);
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  console.log(
    `  ${name}: ${total} captures × ${tracesPerCapture} traces from ${INSTANCES} instances (filled in ${fillSeconds.toFixed(0)} s), ${check.indexSegments} index segments`,
  );
  console.log(
    `  ${name}: lookup by trace id, fresh store object: median ${q(times, 0.5).toFixed(1)} ms, p99 ${q(times, 0.99).toFixed(1)} ms, max ${q(times, 1).toFixed(1)} ms; ${q(reads, 0.5)} requests (median)`,
  );
  const target = name === 'fs' ? 50 : 1_000;
  console.log(`  ${name}: target < ${target} ms (p99): ${q(times, 0.99) < target ? 'PASS' : 'MISS'}`);
}

console.log(`node ${process.version}, ${new Date().toISOString()}`);
if (values.only !== 's3') {
  const dirs: string[] = [];
  const fsOpen = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-store-'));
    dirs.push(dir);
    return dir;
  };
  console.log('filesystem');
  const one = fsOpen();
  await writesPerCapture('fs', () => new Counting(new FsBlobs(one)));
  const many = fsOpen();
  await lookups('fs', () => new Counting(new FsBlobs(many)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
if (values.only !== 'fs') {
  const server = await S3rver.launch('bench');
  Object.assign(process.env, server.env);
  try {
    console.log(`s3rver (${server.endpoint})`);
    await writesPerCapture(
      's3',
      () => new Counting(new S3Blobs({ bucket: 'bench', prefix: 'writes/' }, { forcePathStyle: true })),
    );
    await lookups(
      's3',
      () => new Counting(new S3Blobs({ bucket: 'bench', prefix: 'lookup/' }, { forcePathStyle: true })),
    );
  } finally {
    await server.stop();
  }
}
