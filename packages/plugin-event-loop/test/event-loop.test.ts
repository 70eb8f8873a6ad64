import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopDelayCapability, eventLoopMetrics } from '@vigil/plugin-event-loop';
import { blockFor, startPlugins, waitFor } from '@vigil/test-helpers/metrics';

let running: Awaited<ReturnType<typeof startPlugins>> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

type Running = Awaited<ReturnType<typeof startPlugins>>;
const windowOf = (r: Running) => r.host.use(EventLoopDelayCapability)!;

/** The delay monitor records from its second tick on: wait until it has recorded a sample. */
const recording = (r: Running) => waitFor(() => windowOf(r).read().count > 0, 'the delay monitor to record');

/** A stall is a sample once the monitor's next tick sees it: wait for that, reading the window (which mutates nothing). */
const recorded = (r: Running, atLeastSeconds: number) =>
  waitFor(() => windowOf(r).read().max > atLeastSeconds, `a delay over ${atLeastSeconds} s in the window`);

describe('event-loop plugin', () => {
  it('a blocked loop raises the max delay', async () => {
    running = await startPlugins([eventLoopMetrics()]);
    await recording(running);
    const before = await running.reader.value('nodejs.eventloop.delay.max');
    expect(before).toBeLessThan(0.1);
    blockFor(250);
    const after = await waitFor(async () => {
      const v = await running!.reader.value('nodejs.eventloop.delay.max');
      return v > 0.2 ? v : 0;
    }, 'the stall to show in delay.max');
    expect(after).toBeGreaterThan(0.2);
    expect(after).toBeLessThan(1);
    expect(await running.reader.value('nodejs.eventloop.delay.min')).toBeLessThan(0.05);
  });

  it('does not lose a stall that lands right after a collection', async () => {
    running = await startPlugins([eventLoopMetrics()]);
    await recording(running);
    await running.reader.value('nodejs.eventloop.delay.max');
    blockFor(200); // right after the collection, before the next
    await recorded(running, 0.15);
    expect(await running.reader.value('nodejs.eventloop.delay.max')).toBeGreaterThan(0.15);
  });

  it('does not lose a stall across a slice rotation', async () => {
    running = await startPlugins([eventLoopMetrics()]);
    await recording(running);
    const slices = windowOf(running).slices;
    blockFor(200);
    await recorded(running, 0.15);
    // The stall's slice is folded into the ring, and another after it.
    await waitFor(() => windowOf(running!).slices >= slices + 2, 'two rotations of 1 s slices after the stall');
    expect(await running.reader.value('nodejs.eventloop.delay.max')).toBeGreaterThan(0.15);
  });

  it('two readers both see the same stall: reading does not steal the window', async () => {
    running = await startPlugins([eventLoopMetrics()], 2);
    await recording(running);
    const [a, b] = running.readers as [typeof running.reader, typeof running.reader];
    blockFor(200);
    await recorded(running, 0.15);
    const first = await a.value('nodejs.eventloop.delay.max');
    const second = await b.value('nodejs.eventloop.delay.max');
    const again = await a.value('nodejs.eventloop.delay.max');
    expect(first).toBeGreaterThan(0.15);
    expect(second).toBeCloseTo(first, 2);
    expect(again).toBeCloseTo(first, 2);
  });

  it('utilization rises under a busy loop and active time grows', async () => {
    running = await startPlugins([eventLoopMetrics({ windowMillis: 2_000 })]);
    await waitFor(() => windowOf(running!).read().coveredMillis >= 1_000, 'an idle second in the window');
    const idleUtilization = await running.reader.value('nodejs.eventloop.utilization');
    const activeBefore = await running.reader.value('nodejs.eventloop.time', { 'nodejs.eventloop.state': 'active' });
    await recording(running); // the monitor records from its second tick on: a stall before that would go unseen
    blockFor(600);
    await recorded(running, 0.5);
    const busyUtilization = await running.reader.value('nodejs.eventloop.utilization');
    const activeAfter = await running.reader.value('nodejs.eventloop.time', { 'nodejs.eventloop.state': 'active' });
    expect(busyUtilization).toBeGreaterThan(idleUtilization + 0.2);
    expect(busyUtilization).toBeLessThanOrEqual(1);
    expect(activeAfter - activeBefore).toBeGreaterThan(0.55);
  });

  it('percentiles are ordered and the mean lies between min and max', async () => {
    running = await startPlugins([eventLoopMetrics()]);
    const window = windowOf(running);
    await recording(running);
    for (let i = 0; i < 5; i++) {
      const count = window.read().count;
      blockFor(30 + i * 20);
      // Each stall its own sample: wait for the monitor to record it before the next (read() caches for 50 ms).
      await waitFor(() => window.read().count > count, `the sample after stall ${i + 1}`);
    }
    const s = window.read();
    expect(s.count).toBeGreaterThan(5);
    expect(s.min).toBeLessThanOrEqual(s.p50);
    expect(s.p50).toBeLessThanOrEqual(s.p90);
    expect(s.p90).toBeLessThanOrEqual(s.p99);
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.mean).toBeGreaterThanOrEqual(s.min);
    expect(s.mean).toBeLessThanOrEqual(s.max);
    expect(s.max).toBeGreaterThan(0.1);
  });

  it('uses the prom-client names when asked', async () => {
    running = await startPlugins([eventLoopMetrics({ names: 'prom-client' })]);
    const names = [...(await running.reader.metrics()).keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'nodejs_eventloop_lag_seconds',
        'nodejs_eventloop_lag_min_seconds',
        'nodejs_eventloop_lag_max_seconds',
        'nodejs_eventloop_lag_mean_seconds',
        'nodejs_eventloop_lag_stddev_seconds',
        'nodejs_eventloop_lag_p50_seconds',
        'nodejs_eventloop_lag_p90_seconds',
        'nodejs_eventloop_lag_p99_seconds',
      ]),
    );
    expect(names.some((n) => n.startsWith('nodejs.eventloop'))).toBe(false);
  });
});
