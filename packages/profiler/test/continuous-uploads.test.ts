import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeProfile, topTable } from '@vigil/pprof';
import { CapturesCapability, profiler } from '@vigil/profiler';
import { FileStore, openStore, type CaptureMetadata, type CaptureStore } from '@vigil/store';
import { blockFor, startPlugins, waitFor } from '@vigil/test-helpers/metrics';
import { S3rver } from '@vigil/test-helpers/s3rver';

const dir = mkdtempSync(join(tmpdir(), 'vigil-continuous-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let running: Awaited<ReturnType<typeof startPlugins>> | undefined;
let spinning = false;
afterEach(async () => {
  spinning = false;
  await running?.stop();
  running = undefined;
});

async function start(store: CaptureStore, uploadEveryMillis = 1_000) {
  running = await startPlugins([
    profiler({ windowMillis: 400, uploadEveryMillis, store, serviceName: 'continuous-test' }),
  ]);
  return running;
}

/** Keeps the loop busy in slices (so timers still fire) until stopped. */
function spinContinuously(): void {
  spinning = true;
  const slice = () => {
    if (!spinning) return;
    spinContinuous(); // named, so the profile shows it
    setImmediate(slice);
  };
  slice();
}
function spinContinuous(): void {
  blockFor(5);
}

const continuous = async (store: CaptureStore, type: 'cpu' | 'heap'): Promise<CaptureMetadata[]> =>
  (await store.list({ type, reason: 'continuous', limit: 1_000 })).sort((a, b) =>
    a.startedAt.localeCompare(b.startedAt),
  );

/** Each capture begins exactly where the one before ended. */
function expectConsecutive(list: readonly CaptureMetadata[]): void {
  for (let i = 1; i < list.length; i++)
    expect(list[i]!.startedAt, `capture ${i} starts where ${i - 1} ended`).toBe(list[i - 1]!.endedAt);
}

const counted = async (outcome: string, type = 'cpu') =>
  running!.reader.value('vigil.continuous.uploads', { type, outcome }).catch(() => 0);

describe('continuous uploads', () => {
  it('each period stores one CPU and one heap capture; the CPU captures cover consecutive windows, beside a capture that holds the CPU slot', async () => {
    const store = new FileStore(join(dir, 'file'));
    const { host } = await start(store);
    spinContinuously();
    await waitFor(async () => (await continuous(store, 'cpu')).length >= 1, 'the first continuous upload');
    // A 1.5 s capture holds the one CPU slot across the next periods: neither it nor the uploads may fail.
    const manual = await host
      .use(CapturesCapability)!
      .captureCpu({ durationMillis: 1_500, reason: { kind: 'manual' } });
    await waitFor(async () => (await continuous(store, 'cpu')).length >= 4, 'four continuous uploads', 15_000);
    spinning = false;
    await running!.stop(); // waits for the upload in flight: its heap capture lands too
    const cpu = await continuous(store, 'cpu');
    const heap = await continuous(store, 'heap');
    expect(heap).toHaveLength(cpu.length);
    expectConsecutive(cpu);
    for (const c of cpu) {
      expect(Date.parse(c.endedAt) - Date.parse(c.startedAt)).toBeGreaterThan(0);
      expect(c.service).toBe('continuous-test');
      expect(c.samples).toBeGreaterThan(0);
    }
    // The manual capture was stored whole, and the continuous windows around it cover it.
    expect(manual.metadata.reason.kind).toBe('manual');
    expect(Date.parse(manual.metadata.endedAt) - Date.parse(manual.metadata.startedAt)).toBeGreaterThanOrEqual(1_400);
    expect(cpu[0]!.startedAt <= manual.metadata.startedAt && manual.metadata.endedAt <= cpu.at(-1)!.endedAt).toBe(true);
    // What the process did is in the periods' profiles.
    const profile = await decodeProfile((await store.get(cpu[1]!.id))!.data);
    const table = topTable(profile, 'cpu');
    expect(table.rows.find((r) => r.name === 'spinContinuous')?.cum ?? 0).toBeGreaterThan(table.total * 0.3);
    const heapProfile = await decodeProfile((await store.get(heap[0]!.id))!.data);
    expect(heapProfile.sampleType.map((t) => heapProfile.stringTable.strings[Number(t.type)])).toContain('inuse_space');
    expect(heapProfile.sample.length).toBeGreaterThan(0);
    running = undefined;
  });

  it('a store that refuses every write: uploads are counted as failed and logged, the process goes on', async () => {
    const notADir = join(dir, 'a-file');
    writeFileSync(notADir, 'not a directory');
    const store = new FileStore(join(notADir, 'store'), {}, { maintenance: false });
    await start(store);
    await waitFor(
      async () => (await counted('failed')) >= 2 && (await counted('failed', 'heap')) >= 2,
      'two failed uploads of each type',
      10_000,
    );
    expect(await running!.reader.value('vigil.errors', { component: 'profiler' })).toBeGreaterThanOrEqual(4);
    expect(await counted('stored')).toBe(0);
  });
});

describe('continuous uploads to S3 (s3rver)', () => {
  it('while the server is away an upload retries, the next periods are skipped and counted, and the coverage has no gap', async () => {
    const server = await S3rver.launch();
    const saved = Object.fromEntries(Object.keys(server.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, server.env);
    try {
      const store = openStore(`s3://${server.bucket}/continuous`, {}, 'VIGIL_STORE', {
        forcePathStyle: true,
        maintenance: false,
      });
      await start(store);
      spinContinuously();
      await waitFor(async () => (await counted('stored')) >= 1, 'a first upload');
      await server.kill();
      await waitFor(async () => (await counted('skipped')) >= 2, 'two periods skipped while an upload retries', 15_000);
      await server.start();
      const before = await counted('stored');
      await waitFor(async () => (await counted('stored')) >= before + 2, 'uploads to resume', 30_000);
      spinning = false;
      await running!.stop();
      running = undefined;
      const cpu = await continuous(store, 'cpu');
      expect(cpu.length).toBeGreaterThanOrEqual(3);
      expectConsecutive(cpu);
      // The upload after the outage covers every period it skipped: longer than one period.
      expect(Math.max(...cpu.map((c) => Date.parse(c.endedAt) - Date.parse(c.startedAt)))).toBeGreaterThan(2_000);
      await store.close();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await server.stop();
    }
  }, 90_000);
});
