import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError, captureId } from '@vigil/core';
import { S3Store, openStore, type CaptureStore } from '@vigil/store';
import { S3rver } from '@vigil/test-helpers/s3rver';
import { spawnNode } from '@vigil/test-helpers/process';
import { TRACE_A, TRACE_B, meta, put } from './helpers.ts';

let server: S3rver;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  server = await S3rver.launch();
  for (const [k, v] of Object.entries(server.env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}, 60_000);
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await server?.stop();
});

let prefixes = 0;
/** A store under a prefix of its own: tests share the bucket, not their captures. */
function url(): string {
  return `s3://${server.bucket}/t${++prefixes}-${randomBytes(3).toString('hex')}`;
}
function open(at: string, retention = {}, options = {}): CaptureStore {
  return openStore(at, retention, 'VIGIL_STORE', { forcePathStyle: true, maintenance: false, ...options });
}

describe('S3Store against s3rver', () => {
  it('stores and reads captures with the filesystem layout, finds them by trace id and filters them', async () => {
    const at = url();
    const store = open(at);
    expect(store).toBeInstanceOf(S3Store);
    const a = await put(store, [{ traceId: TRACE_A, spanIds: ['1111111111111111'] }], new Date(Date.now() - 3_000), {
      service: 'api',
      host: 'h1',
      pid: 7,
    });
    const b = await put(
      store,
      [
        { traceId: TRACE_B, spanIds: [] },
        { traceId: TRACE_A, spanIds: [] },
      ],
      new Date(Date.now() - 2_000),
      { service: 'worker', host: 'h2', pid: 8, type: 'heap' },
    );
    const reopened = open(at);
    expect((await reopened.get(a.id))?.data.length).toBe(100);
    expect(await reopened.traces(a.id)).toEqual([{ traceId: TRACE_A, spanIds: ['1111111111111111'] }]);
    expect((await reopened.list({ traceId: TRACE_A })).map((m) => m.id)).toEqual([b.id, a.id]);
    expect((await reopened.list({ traceId: TRACE_A, spanId: '1111111111111111' })).map((m) => m.id)).toEqual([a.id]);
    expect((await reopened.list({ service: 'api' })).map((m) => m.id)).toEqual([a.id]);
    expect((await reopened.list({ host: 'h2' })).map((m) => m.id)).toEqual([b.id]);
    expect((await reopened.list({ pid: 7 })).map((m) => m.id)).toEqual([a.id]);
    expect((await reopened.list({ type: 'heap', since: Date.now() - 60_000 })).map((m) => m.id)).toEqual([b.id]);
    expect(await reopened.list({ since: Date.now() + 60_000 })).toEqual([]);
    expect(await reopened.usage()).toEqual({ count: 2, bytes: 200 });
    expect((await reopened.check()).problems).toEqual([]);
  });

  it('a process killed with SIGKILL mid-upload leaves no listed, broken capture', async () => {
    const at = url();
    const writer = spawnNode(['test/fixtures/store-writer.ts', at, '100000', '100000', String(2 * 1024 * 1024)], {
      env: server.env,
    });
    await writer.waitForOutput(/(\S+\n){5}/, 'five captures uploaded', 60_000);
    writer.child.kill('SIGKILL');
    await writer.exited();
    const store = open(at);
    const listed = await store.list({ limit: 100_000 });
    expect(listed.length).toBeGreaterThanOrEqual(5);
    for (const m of listed) expect((await store.get(m.id))?.data.length, m.id).toBe(m.bytes);
    const { problems } = await store.check();
    // s3rver streams a PUT's body into the object's file in place, so an upload cut by the kill can stay behind as a
    // short object (S3 itself never stores part of a PUT). A capture's own files are then orphans (its metadata comes
    // last); a trace index segment reads as cut short, which lookups skip and rebuildIndex() replaces.
    const realProblems = problems.filter((p) => p.kind !== 'orphan' && p.kind !== 'corrupt-index');
    expect(realProblems, JSON.stringify(problems)).toEqual([]);
  });

  it('two processes write one bucket: distinct ids, every capture listed and found, retention across both', async () => {
    const at = url();
    const writers = [0, 1].map(() => spawnNode(['test/fixtures/store-writer.ts', at, '25'], { env: server.env }));
    const codes = await Promise.all(writers.map((w) => w.exited()));
    expect(codes, writers.map((w) => w.output()).join('\n')).toEqual([0, 0]);
    const written = writers.flatMap((w) => w.output().trim().split('\n'));
    expect(new Set(written).size).toBe(50);
    const store = open(at, { maxCount: 20 });
    expect((await store.list({ limit: 1_000 })).map((m) => m.id).sort()).toEqual([...written].sort());
    expect((await store.list({ traceId: 'a'.repeat(32), limit: 1_000 })).length).toBe(50);
    expect(new Set((await store.list({ limit: 1_000 })).map((m) => m.pid)).size).toBe(2);

    await Promise.all([store.enforceRetention(), open(at, { maxCount: 20 }).enforceRetention()]);
    const left = await store.list({ limit: 1_000 });
    expect(left.map((m) => m.id)).toEqual([...written].sort().reverse().slice(0, 20));
    expect((await store.list({ traceId: 'a'.repeat(32), limit: 1_000 })).length).toBe(20);
  });

  it('merges index segments and still finds every trace', async () => {
    const store = open(url());
    const traces: string[] = [];
    for (let i = 0; i < 40; i++) {
      const t = randomBytes(16).toString('hex');
      traces.push(t);
      await put(store, [{ traceId: t, spanIds: [] }], new Date(Date.now() - 60_000 + i * 10));
    }
    await store.maintain();
    const check = await store.check();
    expect(check.indexSegments).toBeLessThan(40);
    for (const t of [traces[0]!, traces[17]!, traces[39]!]) expect(await store.list({ traceId: t })).toHaveLength(1);
  });

  it('retries a failing upload with backoff until the server is back', async () => {
    const at = url();
    const store = open(at);
    await put(store); // connected once
    await server.kill();
    const pending = store.put(meta(), randomBytes(1_000), [{ traceId: TRACE_A, spanIds: [] }]);
    let settled = false;
    void pending.finally(() => (settled = true)).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(settled).toBe(false);
    await server.start();
    const stored = await pending;
    expect(store.counters().uploadRetries).toBeGreaterThanOrEqual(1);
    expect((await store.get(stored.id))?.data.length).toBe(1_000);
  });

  it('gives up an upload at its deadline, counted, with a typed error; and refuses what would exceed its memory bound', async () => {
    const store = openStore(url(), {}, 'VIGIL_STORE', {
      forcePathStyle: true,
      maintenance: false,
      uploadDeadlineMillis: 1_500,
      maxPendingBytes: 1024 * 1024,
    });
    const tooBig = await store.put(meta(), randomBytes(2 * 1024 * 1024)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((tooBig as VigilError).code).toBe(ErrorCodes.STORE_WRITE);
    expect((tooBig as VigilError).message).toMatch(/in flight/);
    await server.kill();
    try {
      const started = performance.now();
      const error = await store.put({ ...meta(), id: captureId() }, randomBytes(10)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe(ErrorCodes.STORE_WRITE);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(store.counters().uploadFailures).toBeGreaterThanOrEqual(1);
    } finally {
      await server.start();
    }
  });

  it('rejects a bad s3 URL at open, naming the field', () => {
    expect(() => openStore('s3://Bad_Bucket/x')).toThrow(
      /^VIGIL_STORE: "s3:\/\/Bad_Bucket\/x" is not valid; expected s3:\/\/BUCKET\/PREFIX/,
    );
    expect(() => openStore('s3://bucket/../x')).toThrow(/VIGIL_STORE/);
  });
});
