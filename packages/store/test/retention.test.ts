import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '@vigil/store';
import { waitFor } from '@vigil/test-helpers/metrics';
import { TRACE_A, dayOf, put, tempDir } from './helpers.ts';

describe('retention', () => {
  it('bounds count, bytes and age, oldest first, and unindexes what it removes', async () => {
    const byCount = new FileStore(tempDir(), { maxCount: 3 }, { maintenance: false });
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.push((await put(byCount, [{ traceId: TRACE_A, spanIds: [] }], new Date(Date.now() - 10_000 + i))).id);
    expect((await byCount.enforceRetention()).sort()).toEqual(ids.slice(0, 2).sort());
    expect((await byCount.list()).map((m) => m.id)).toEqual(ids.slice(2).reverse());
    expect((await byCount.list({ traceId: TRACE_A })).map((m) => m.id)).toEqual(ids.slice(2).reverse());

    const byBytes = new FileStore(tempDir(), { maxBytes: 2_500 }, { maintenance: false });
    for (let i = 0; i < 4; i++) await put(byBytes, [], new Date(Date.now() - 10_000 + i), {}, 1_000);
    expect(await byBytes.enforceRetention()).toHaveLength(2);
    expect(await byBytes.list()).toHaveLength(2);

    const byAge = new FileStore(tempDir(), { maxAgeMillis: 60_000 }, { maintenance: false });
    const old = await put(byAge, [], new Date(Date.now() - 120_000));
    const fresh = await put(byAge, [], new Date());
    expect(await byAge.enforceRetention()).toEqual([old.id]);
    expect((await byAge.list()).map((m) => m.id)).toEqual([fresh.id]);
  });

  it('a burst of 20 writes with max 5 captures leaves 5 once the burst is over, with no later write', async () => {
    const dir = tempDir();
    const store = new FileStore(dir, { maxCount: 5 }, { maintenanceIntervalMillis: 200 });
    const ids = [];
    for (let i = 0; i < 20; i++)
      ids.push((await put(store, [{ traceId: TRACE_A, spanIds: [] }], new Date(Date.now() - 1_000 + i))).id);
    const listed = await waitFor(async () => {
      const now = await new FileStore(dir, {}, { maintenance: false }).list({ limit: 100 });
      return now.length <= 5 ? now : undefined;
    }, 'retention to leave 5 captures');
    expect(listed.map((m) => m.id)).toEqual(ids.slice(-5).reverse());
  });

  it('removes the directories it empties, and orphan data older than the grace period', async () => {
    const dir = tempDir();
    // The layout of an older version: one directory per trace id, some left empty.
    mkdirSync(join(dir, 'traces', 'ffffffffffffffffffffffffffffffff'), { recursive: true });
    writeFileSync(join(dir, 'traces', 'VERSION'), 'vigil-trace-index v1\n');
    const store = new FileStore(dir, { maxAgeMillis: 60_000 }, { maintenance: false, orphanGraceMillis: 60_000 });
    const old = await put(store, [{ traceId: TRACE_A, spanIds: [] }], new Date('2020-01-02T00:00:00Z'));
    const fresh = await put(store);
    const freshDay = dayOf(dir, fresh.id);
    const oldOrphan = join(dayOf(dir, '20200101'), '20200101T000000000Z-abcdef.pb.gz');
    mkdirSync(dayOf(dir, '20200101'), { recursive: true });
    const youngOrphan = join(freshDay, `${fresh.id.slice(0, -6)}fedcba.pb.gz`);
    writeFileSync(oldOrphan, 'left by a writer that died');
    utimesSync(oldOrphan, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    writeFileSync(youngOrphan, 'being written');

    expect(await store.enforceRetention()).toEqual([old.id]);
    expect(existsSync(dayOf(dir, old.id))).toBe(false);
    expect(existsSync(join(dir, 'captures', '2020'))).toBe(false);
    expect(existsSync(oldOrphan)).toBe(false);
    expect(existsSync(join(dir, 'captures', '2020'))).toBe(false);
    expect(existsSync(youngOrphan)).toBe(true);
    expect((await store.list({ traceId: TRACE_A })).map((m) => m.id)).toEqual([]);
    expect(existsSync(join(dir, 'traces'))).toBe(false);
    expect(readdirSync(freshDay).sort()).toEqual(
      [`${fresh.id}.json`, `${fresh.id}.pb.gz`, youngOrphan.split('/').pop()].sort(),
    );
  });
});
