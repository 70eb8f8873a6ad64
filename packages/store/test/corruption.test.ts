import { readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError } from '@vigil/core';
import { FileStore } from '@vigil/store';
import { TRACE_A, TRACE_B, dayOf, put, tempDir } from './helpers.ts';

describe('a store with corrupt files in it', () => {
  it('keeps taking writes and answering lookups when a trace list is foreign and the index version is bad', async () => {
    const dir = tempDir();
    const first = new FileStore(dir);
    const good = await put(first, [{ traceId: TRACE_A, spanIds: ['1111111111111111'] }]);
    const bad = await put(first, [{ traceId: TRACE_B, spanIds: [] }]);
    writeFileSync(join(dayOf(dir, bad.id), `${bad.id}.traces.json`), '{"a":1}');
    for (const name of ['traces', 'index']) {
      try {
        writeFileSync(join(dir, name, 'VERSION'), 'vigil-trace-index v0\n');
      } catch {
        // the layout of another version: one of the two exists
      }
    }

    const reopened = new FileStore(dir);
    const later = await put(reopened, [{ traceId: TRACE_B, spanIds: ['2222222222222222'] }]);
    expect((await reopened.list({ traceId: TRACE_A })).map((m) => m.id)).toEqual([good.id]);
    expect((await reopened.list({ traceId: TRACE_B })).map((m) => m.id)).toContain(later.id);
    expect((await reopened.check()).problems).toContainEqual(
      expect.objectContaining({
        key: `captures/${bad.id.slice(0, 4)}/${bad.id.slice(4, 6)}/${bad.id.slice(6, 8)}/${bad.id}.traces.json`,
        kind: 'corrupt-trace-list',
      }),
    );
  });

  it.each([['null'], ['{}'], ['[1,2]'], ['{"id":"x"'], ['']])(
    'skips and counts metadata holding %j: listing still answers',
    async (content) => {
      const dir = tempDir();
      const store = new FileStore(dir);
      const good = await put(store, [], new Date(Date.now() - 2_000));
      const bad = await put(store, [{ traceId: TRACE_A, spanIds: [] }], new Date(Date.now() - 1_000));
      writeFileSync(join(dayOf(dir, bad.id), `${bad.id}.json`), content);
      expect((await store.list()).map((m) => m.id)).toEqual([good.id]);
      expect(await store.list({ traceId: TRACE_A })).toEqual([]);
      expect(await store.metadata(bad.id)).toBeUndefined();
      expect(store.counters().skipped).toBeGreaterThanOrEqual(1);
      const { problems } = await store.check();
      expect(problems.map((p) => [p.kind, p.key.split('/').pop()])).toEqual([['corrupt-metadata', `${bad.id}.json`]]);
    },
  );

  it('never serves a truncated profile: reading it is a typed "corrupt" error, listing leaves it out', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    const good = await put(store, [], new Date(Date.now() - 1_000));
    const cut = await put(store, [{ traceId: TRACE_A, spanIds: [] }], new Date(), {}, 1_000);
    truncateSync(join(dayOf(dir, cut.id), `${cut.id}.pb.gz`), 400);
    const error = await store.get(cut.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe(ErrorCodes.STORE_CORRUPT);
    expect((error as VigilError).message).toMatch(/400 bytes.*1000/);
    expect((await store.get(good.id))?.data.length).toBe(100);
    expect((await store.list()).map((m) => m.id)).toEqual([good.id]);
    expect(await store.list({ traceId: TRACE_A })).toEqual([]);
    expect((await store.check()).problems).toEqual([
      expect.objectContaining({ kind: 'truncated-data', key: expect.stringContaining(`${cut.id}.pb.gz`) }),
    ]);
  });

  it('check lists foreign files and orphans without touching them', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    const kept = await put(store);
    const day = dayOf(dir, kept.id);
    writeFileSync(join(day, 'notes.txt'), 'hello');
    writeFileSync(join(day, `${kept.id.slice(0, -6)}abcdef.pb.gz`), 'orphan');
    const { captures, problems } = await store.check();
    expect(captures).toBe(1);
    expect(problems.map((p) => p.kind).sort()).toEqual(['foreign', 'orphan']);
    expect(readdirSync(day)).toContain('notes.txt');
  });
});
