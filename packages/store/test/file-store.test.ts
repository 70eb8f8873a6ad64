import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore, openStore } from '@vigil/store';
import { TRACE_A, TRACE_B, meta, put, tempDir } from './helpers.ts';
import { spawnNode } from '@vigil/test-helpers/process';

describe('FileStore', () => {
  it('stores data and metadata in the documented layout and reads them back', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    const stored = await put(
      store,
      [{ traceId: TRACE_A, spanIds: ['00f067aa0ba902b7'] }],
      new Date('2026-11-23T10:00:00Z'),
    );
    const day = join(dir, 'captures', '2026', '11', '23');
    expect(readdirSync(day).sort()).toEqual(
      [`${stored.id}.json`, `${stored.id}.pb.gz`, `${stored.id}.traces.json`].sort(),
    );
    // One index segment for the capture, whatever its trace count.
    expect(readdirSync(join(dir, 'index'))).toContain(`${stored.id}_${stored.id}_1_0.tix`);
    const got = await store.get(stored.id);
    expect(got?.metadata).toEqual({ ...stored, bytes: 100, traceCount: 1 });
    expect(got?.data.length).toBe(100);
  });

  it('finds captures by trace id through the index, and filters by span, type, rule and time', async () => {
    const store = new FileStore(tempDir());
    const a1 = await put(store, [{ traceId: TRACE_A, spanIds: ['1111111111111111'] }], new Date(Date.now() - 3_000));
    const b = await put(store, [{ traceId: TRACE_B, spanIds: ['2222222222222222'] }], new Date(Date.now() - 2_000), {
      reason: { kind: 'rule', name: 'stall' },
    });
    const a2 = await put(store, [{ traceId: TRACE_A, spanIds: ['3333333333333333'] }], new Date(Date.now() - 1_000), {
      type: 'heap',
    });
    expect((await store.list({ traceId: TRACE_A })).map((m) => m.id)).toEqual([a2.id, a1.id]);
    expect((await store.list({ traceId: TRACE_A, spanId: '1111111111111111' })).map((m) => m.id)).toEqual([a1.id]);
    expect((await store.list({ spanId: '2222222222222222' })).map((m) => m.id)).toEqual([b.id]);
    expect((await store.list({ type: 'heap' })).map((m) => m.id)).toEqual([a2.id]);
    expect((await store.list({ rule: 'stall' })).map((m) => m.id)).toEqual([b.id]);
    expect((await store.list({ until: Date.now() - 1_500 })).map((m) => m.id)).toEqual([b.id, a1.id]);
    expect((await store.list({ since: Date.now() - 1_500 })).map((m) => m.id)).toEqual([a2.id]);
    expect(await store.list({ traceId: 'ffffffffffffffffffffffffffffffff' })).toEqual([]);
    expect(await store.list({ traceId: '../../etc' })).toEqual([]);
  });

  it.each([
    ['missing', (dir: string) => rmSync(join(dir, 'index'), { recursive: true })],
    ['of another version', (dir: string) => writeFileSync(join(dir, 'index', 'VERSION'), 'garbage')],
  ])('rebuilds the trace index from the captures when it is %s', async (_name, damage) => {
    const dir = tempDir();
    const first = new FileStore(dir);
    const stored = await put(first, [{ traceId: TRACE_B, spanIds: ['4444444444444444'] }]);
    await first.idle();
    damage(dir);
    const reopened = new FileStore(dir);
    expect((await reopened.list({ traceId: TRACE_B })).map((m) => m.id)).toEqual([stored.id]);
  });

  it('a process killed mid-write never leaves a listed, broken capture', async () => {
    const dir = tempDir();
    const writer = spawnNode(['test/fixtures/store-writer.ts', dir, '100000']);
    await writer.waitForOutput(/(\S+\n){20}/, 'twenty captures written');
    writer.child.kill('SIGKILL');
    await writer.exited();
    const store = new FileStore(dir);
    const listed = await store.list({ limit: 100_000 });
    expect(listed.length).toBeGreaterThanOrEqual(20);
    for (const m of listed) {
      const got = await store.get(m.id);
      expect(got?.data.length, m.id).toBe(m.bytes);
    }
  });

  it('several processes share one directory safely, with retention applied across them', async () => {
    const dir = tempDir();
    const writers = Array.from({ length: 4 }, () => spawnNode(['test/fixtures/store-writer.ts', dir, '40', '60']));
    const codes = await Promise.all(writers.map((w) => w.exited()));
    expect(codes, writers.map((w) => w.output()).join('\n')).toEqual([0, 0, 0, 0]);
    const store = new FileStore(dir, { maxCount: 60 });
    await store.enforceRetention();
    const listed = await store.list({ limit: 1_000 });
    expect(listed).toHaveLength(60);
    expect(new Set(listed.map((m) => m.id)).size).toBe(60);
    for (const m of listed) expect((await store.get(m.id))?.data.length).toBe(m.bytes);
    // The trace shared by every capture points only at captures that still exist.
    const shared = await store.list({ traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', limit: 1_000 });
    expect(shared.length).toBe(60);
  });

  it('never overwrites a capture whose id is taken', async () => {
    const store = new FileStore(tempDir(), {}, { maintenance: false });
    const first = meta();
    await store.put(first, randomBytes(100));
    const error = await store.put({ ...first, service: 'other' }, randomBytes(50)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('VIGIL_ERR_STORE_WRITE');
    const kept = await store.get(first.id);
    expect([kept?.metadata.service, kept?.data.length]).toEqual(['s', 100]);
  });

  it('merged index segments drop the entries of removed captures and still find the rest', async () => {
    const dir = tempDir();
    const store = new FileStore(dir, { maxCount: 20 }, { maintenance: false, orphanGraceMillis: 1_000 });
    const traces: string[] = [];
    for (let i = 0; i < 40; i++) {
      traces.push(randomBytes(16).toString('hex'));
      await put(
        store,
        [
          { traceId: traces[i]!, spanIds: [] },
          { traceId: TRACE_A, spanIds: [] },
        ],
        new Date(Date.now() - 600_000 + i * 1_000),
      );
    }
    await store.maintain();
    const segments = readdirSync(join(dir, 'index')).filter((n) => n.endsWith('.tix'));
    expect(segments.length).toBeLessThan(20);
    expect(await store.list({ traceId: traces[5]! })).toEqual([]);
    expect(await store.list({ traceId: traces[25]! })).toHaveLength(1);
    expect(await store.list({ traceId: TRACE_A, limit: 100 })).toHaveLength(20);
  });

  it('opens file:// URLs and refuses other schemes with a clear error', () => {
    expect(openStore('file://./.vigil').location).toMatch(/^file:\/\/\/.*\.vigil$/);
    expect(() => openStore('ftp://x/y')).toThrow(
      /^VIGIL_STORE: "ftp:\/\/x\/y" is not valid; expected file:\/\/DIR \(a directory\) or s3:\/\/BUCKET\/PREFIX/,
    );
  });
});

describe('FileStore on a directory that does not exist yet', () => {
  it('creates it on the first lookup or write', async () => {
    const dir = join(tempDir(), 'not', 'yet');
    const store = new FileStore(dir);
    expect(await store.list({ traceId: TRACE_A })).toEqual([]);
    expect((await put(store, [{ traceId: TRACE_A, spanIds: [] }])).traceCount).toBe(1);
  });
});
