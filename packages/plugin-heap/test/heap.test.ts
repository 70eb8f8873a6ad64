import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { HeapGrowth, HeapGrowthCapability, heapMetrics } from '@vigil/plugin-heap';
import { startPlugins, waitFor } from '@vigil/test-helpers/metrics';

// A full (major) GC on demand, without starting the test runner with --expose-gc.
setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;

let running: Awaited<ReturnType<typeof startPlugins>> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('heap plugin', () => {
  it('retained allocations raise heap used', async () => {
    running = await startPlugins([heapMetrics()]);
    const before = await running.reader.value('v8js.heap.used');
    const retained: number[][] = [];
    for (let i = 0; i < 200; i++) retained.push(Array.from({ length: 10_000 }, (_, j) => j * i));
    const after = await running.reader.value('v8js.heap.used');
    expect(after - before).toBeGreaterThan(10 * 1024 * 1024);
    expect(retained.length).toBe(200);
  });

  it('reports the heap limit and per-space figures that add up', async () => {
    running = await startPlugins([heapMetrics()]);
    const metrics = await running.reader.metrics();
    const limit = metrics.get('v8js.heap.limit')!.dataPoints[0]!.value as number;
    expect(limit).toBeGreaterThan(100 * 1024 * 1024);
    const spaces = metrics.get('v8js.memory.heap.used')!.dataPoints;
    const names = spaces.map((p) => p.attributes['v8js.heap.space.name']);
    expect(names).toEqual(expect.arrayContaining(['new_space', 'old_space', 'code_space', 'large_object_space']));
    const spaceSum = spaces.reduce((sum, p) => sum + (p.value as number), 0);
    const total = metrics.get('v8js.heap.used')!.dataPoints[0]!.value as number;
    expect(Math.abs(spaceSum - total) / total).toBeLessThan(0.1);
    for (const name of [
      'v8js.memory.heap.limit',
      'v8js.memory.heap.space.available_size',
      'v8js.memory.heap.space.physical_size',
      'v8js.memory.external',
      'v8js.memory.array_buffers',
    ]) {
      expect(metrics.has(name), name).toBe(true);
    }
  });

  it('records every GC pause of a batch, by kind', async () => {
    running = await startPlugins([heapMetrics()]);
    const countOf = async (kind: string) => {
      const gc = (await running!.reader.metrics()).get('v8js.gc.duration');
      const point = gc?.dataPoints.find((p) => p.attributes['v8js.gc.type'] === kind);
      return (point?.value as { count: number } | undefined)?.count ?? 0;
    };
    // A second observer of the same GCs: what the plugin must have recorded, batch by batch.
    const seen = { major: 0, minor: 0, batches: 0, largestBatch: 0 };
    const witness = new PerformanceObserver((list) => {
      const entries = list.getEntries();
      seen.batches++;
      seen.largestBatch = Math.max(seen.largestBatch, entries.length);
      for (const entry of entries) {
        const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) seen.major++;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) seen.minor++;
      }
    });
    witness.observe({ entryTypes: ['gc'] });
    try {
      const majorBefore = await countOf('major');
      const minorBefore = await countOf('minor');
      // Five full GCs in one synchronous turn reach the observers as one batch; the churn adds minor GCs.
      for (let i = 0; i < 5; i++) fullGc();
      let garbage: unknown[] = [];
      for (let round = 0; round < 30; round++) {
        garbage = Array.from({ length: 50_000 }, (_, i) => ({ i, s: `x${i}` }));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(garbage.length).toBe(50_000);
      await waitFor(() => seen.major >= 5 && seen.minor > 5, 'the witness to see the GCs');
      await waitFor(
        async () => (await countOf('major')) - majorBefore === seen.major,
        'every major GC to be recorded',
        5_000,
      );
      expect(await countOf('major')).toBe(majorBefore + seen.major);
      expect(await countOf('minor')).toBe(minorBefore + seen.minor);
      expect(
        seen.largestBatch,
        'the GCs arrived in batches, so reading only the first entry would lose some',
      ).toBeGreaterThan(1);
    } finally {
      witness.disconnect();
    }
  });

  it('prom-client names strip the _space suffix and use the kind label', async () => {
    running = await startPlugins([heapMetrics({ names: 'prom-client' })]);
    const metrics = await running.reader.metrics();
    for (const name of [
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_external_memory_bytes',
      'nodejs_heap_space_size_used_bytes',
    ]) {
      expect(metrics.has(name), name).toBe(true);
    }
    const spaces = metrics.get('nodejs_heap_space_size_used_bytes')!.dataPoints.map((p) => p.attributes.space);
    expect(spaces).toEqual(expect.arrayContaining(['new', 'old', 'code']));
  });

  it('exposes the growth trend to other plugins: the rate of heap after each major GC, as the gauge reports it', async () => {
    running = await startPlugins([heapMetrics()]);
    const growth = running.host.use(HeapGrowthCapability);
    expect(growth).toBeInstanceOf(HeapGrowth);
    expect(await running.reader.value('vigil.heap.growth_rate')).toBe(0);
    // A leak: every full GC finds about 4 MB more live data than the one before.
    const retained: number[][] = [];
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 40; j++) retained.push(Array.from({ length: 12_500 }, (_, k) => k + i));
      fullGc();
      await waitFor(() => growth!.points > i, `major GC ${i + 1} to be recorded`);
    }
    expect(retained.length).toBe(240);
    const reported = await running.reader.value('vigil.heap.growth_rate');
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBe(growth!.rate());
  });
});

describe('HeapGrowth', () => {
  it('is the slope of heap used after major GCs, in bytes per second', () => {
    const growth = new HeapGrowth(60_000);
    for (let s = 0; s < 10; s++) growth.record(s * 1_000, 100e6 + s * 2e6 + (s % 2 === 0 ? 1e5 : -1e5));
    expect(growth.rate()).toBeGreaterThan(1.9e6);
    expect(growth.rate()).toBeLessThan(2.1e6);
  });

  it('is flat for a steady heap and 0 before three points', () => {
    const early = new HeapGrowth(60_000);
    early.record(0, 50e6);
    early.record(1_000, 60e6);
    expect(early.rate()).toBe(0);
    early.record(2_000, 70e6);
    expect(early.rate()).toBeCloseTo(10e6, -3); // from the third point on, a rise shows

    // Steady: after each GC the heap is back at 100 MB, give or take 0.1 MB of noise.
    const growth = new HeapGrowth(60_000);
    for (let s = 0; s < 10; s++) growth.record(s * 1_000, 100e6 + (s % 2 === 0 ? 1e5 : -1e5));
    // The noise alone gives 6 kB/s of slope: the bound is a 50th of the 2 MB/s leak of the test above.
    expect(Math.abs(growth.rate())).toBeLessThan(4e4);
  });

  it('forgets points older than its window', () => {
    const growth = new HeapGrowth(10_000);
    for (let s = 0; s < 30; s++) growth.record(s * 1_000, s < 19 ? 100e6 + s * 1e6 : 120e6);
    expect(growth.points).toBe(11);
    expect(growth.rate()).toBe(0);
  });
});
