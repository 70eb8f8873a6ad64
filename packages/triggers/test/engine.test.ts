import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopDelayCapability, eventLoopMetrics } from '@vigil/plugin-event-loop';
import { handleMetrics } from '@vigil/plugin-handles';
import { heapMetrics } from '@vigil/plugin-heap';
import { decodeProfile, topTable } from '@vigil/pprof';
import { CapturesCapability, ProfilerCapability, profiler } from '@vigil/profiler';
import { FileStore } from '@vigil/store';
import { TriggersCapability, parseRules, ruleMetricReader, triggers, type RuleInput } from '@vigil/triggers';
import { blockFor, startPlugins, waitFor } from '@vigil/test-helpers/metrics';

let running: Awaited<ReturnType<typeof startPlugins>> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(
  rules: RuleInput[],
  extra: { capturesPerHour?: number; diskBudgetBytes?: number; intervalMillis?: number } = {},
) {
  const store = new FileStore(mkdtempSync(join(tmpdir(), 'vigil-triggers-')));
  const reader = ruleMetricReader();
  running = await startPlugins(
    [
      eventLoopMetrics({ windowMillis: 3_000 }),
      heapMetrics(),
      handleMetrics(),
      profiler({ windowMillis: 500, store, serviceName: 'triggers-test' }),
      triggers({
        rules: parseRules(rules, 'test'),
        reader,
        intervalMillis: extra.intervalMillis ?? 200,
        identity: { serviceName: 'triggers-test', metricsPort: undefined },
        ...extra,
      }),
    ],
    1,
    [reader],
  );
  const delay = running.host.use(EventLoopDelayCapability)!;
  await waitFor(() => delay.read().count > 0, 'the delay monitor to record (it does from its second tick)');
  return {
    store,
    engine: running.host.use(TriggersCapability)!.engine,
    captures: running.host.use(CapturesCapability)!,
  };
}

function stallInTheRequestHandler(): void {
  blockFor(400);
}

const stallRule = (name = 'stall', extra: Partial<RuleInput> = {}): RuleInput => ({
  name,
  metric: 'vigil.eventloop.delay.recent_max',
  above: '250ms',
  for: '0s',
  cooldown: '1m',
  capture: { cpu: '1s', lookback: '2s' },
  ...extra,
});

describe('trigger engine', () => {
  it('a stall fires the rule on an evaluation soon after it, and the capture reaches back before it', async () => {
    const { store, engine } = await start([stallRule()]);
    const recorder = () => running!.host.use(ProfilerCapability)!.recorder();
    await waitFor(() => recorder().windows >= 1, 'a flight-recorder window before the stall');
    stallInTheRequestHandler();
    const stallEnded = Date.now();
    const firing = await waitFor(
      () => engine.recent.find((f) => f.rule === 'stall' && f.captureStartedAt !== undefined),
      'the rule to fire',
    );
    // A correctness bound, not a speed figure (bench/trigger-reaction.ts measures that): the rule is evaluated every
    // 200 ms, so it fires within a few of them. Below the 1 s default interval, so the configured one is the one used.
    expect(firing.captureStartedAt! - stallEnded).toBeLessThan(1_000);
    expect(firing.reason).toMatchObject({ kind: 'rule', name: 'stall', threshold: 0.25 });
    expect(firing.reason.value).toBeGreaterThan(0.3);

    const [capture] = await waitFor(async () => {
      const list = await store.list({ rule: 'stall' });
      return list.length > 0 ? list : undefined;
    }, 'the capture to be stored');
    expect(Date.parse(capture!.startedAt)).toBeLessThan(stallEnded - 400);
    const profile = await decodeProfile((await store.get(capture!.id))!.data);
    expect(['blockFor', 'now']).toContain(topTable(profile, 'cpu').rows[0]?.name); // the spin loop, or the clock it reads
    expect(topTable(profile, 'cpu').rows.map((r) => r.name)).toContain('stallInTheRequestHandler');
  });

  it('a firing that meets a busy CPU slot is queued, counted, and runs when the slot frees', async () => {
    const { engine, store } = await start([stallRule('a'), stallRule('b')], { capturesPerHour: 3 });
    const [a, b] = engine.rules;
    const first = await engine.fire(a!, { kind: 'manual', name: 'a' });
    const second = await engine.fire(b!, { kind: 'manual', name: 'b' });
    expect(first.status).toBe('started');
    expect(second).toMatchObject({ status: 'queued', waitedFor: 'a' });
    expect(engine.queued.cpu).toEqual(['b']);
    expect((await engine.settled(first)).status).toBe('done');
    expect((await engine.settled(second)).status).toBe('done');
    const [captureA, captureB] = await Promise.all([
      store.metadata(first.captureIds[0]!),
      store.metadata(second.captureIds[0]!),
    ]);
    expect(captureB!.reason.name).toBe('b');
    expect(Date.parse(captureB!.endedAt)).toBeGreaterThan(Date.parse(captureA!.endedAt)); // b ran after a, not instead
    expect(engine.queued.cpu).toEqual([]);

    expect((await engine.fire(a!, { kind: 'manual' })).skipped).toBe('cooldown');
    const metrics = await running!.reader.metrics();
    const points = (name: string) =>
      metrics
        .get(name)!
        .dataPoints.map((p) => Object.values(p.attributes).join(':') + `=${p.value}`)
        .sort();
    expect(points('vigil.triggers.skipped')).toEqual(['a:cooldown=1']);
    expect(points('vigil.triggers.queued')).toEqual(['b:cpu=1']);
  });

  it('the webhook answers per alert: started, queued behind a busy slot (and then run), or skipped with the reason', async () => {
    const { engine, store } = await start([stallRule('a'), stallRule('b')]);
    const webhook = running!.host.use(TriggersCapability)!;
    const alert = (rule: string, fingerprint: string) => ({
      status: 'firing',
      labels: { alertname: `Vigil-${rule}`, vigil_rule: rule, service_name: 'triggers-test' },
      annotations: {},
      startsAt: '2026-12-01T10:00:00Z',
      fingerprint,
    });
    const answer = await webhook.handleAlerts(
      JSON.stringify({ version: '4', alerts: [alert('a', 'f1'), alert('b', 'f2'), alert('a', 'f3')] }),
    );
    expect(answer).toEqual({
      started: [{ alert: 'Vigil-a', rule: 'a' }],
      queued: [{ alert: 'Vigil-b', rule: 'b', waitingFor: 'a' }],
      skipped: [{ alert: 'Vigil-a', rule: 'a', reason: 'cooldown' }],
    });
    const queued = engine.recent.find((f) => f.rule === 'b')!;
    expect((await engine.settled(queued)).status).toBe('done');
    expect((await store.list({ rule: 'b' })).map((c) => c.reason.kind)).toEqual(['alert']);
  });

  it('heap and handles captures never wait on a CPU capture', async () => {
    const { engine, captures } = await start([
      stallRule('cpu'),
      stallRule('heap', { capture: { heap: true, handles: true } }),
    ]);
    const [cpu, heap] = engine.rules;
    const slow = await engine.fire(cpu!, { kind: 'manual' });
    const fast = await engine.fire(heap!, { kind: 'manual' });
    expect(fast.status).toBe('started');
    const done = await engine.settled(fast);
    expect(done.captureIds).toHaveLength(2);
    expect(slow.status).toBe('started'); // the CPU capture (1 s) is still running: the heap one did not wait for it
    expect(captures.store).toBeDefined();
    await engine.settled(slow);
  });

  it('the hourly budget and the disk budget stop triggered captures', async () => {
    const budget = await start(
      [stallRule('a', { capture: { heap: true } }), stallRule('b', { capture: { heap: true } })],
      { capturesPerHour: 1 },
    );
    const [a, b] = budget.engine.rules;
    expect((await budget.engine.settled(await budget.engine.fire(a!, { kind: 'manual' }))).captureIds).toHaveLength(1);
    expect((await budget.engine.fire(b!, { kind: 'manual' })).skipped).toBe('budget');
    await running!.stop();

    const disk = await start([stallRule('a', { capture: { heap: true } })], { diskBudgetBytes: 1 });
    await disk.captures.captureHeap({ kind: 'manual' }); // the store now holds more than 1 byte
    expect((await disk.engine.fire(disk.engine.rules[0]!, { kind: 'manual' })).skipped).toBe('disk');
  });

  it('a relative rule fires on a rise over its rolling average, never below its floor', async () => {
    const { engine } = await start(
      [
        {
          name: 'handles-rise',
          metric: 'nodejs.active_handles.all',
          rise: '100%',
          window: '10s',
          floor: 20,
          capture: { handles: true },
          cooldown: '1m',
        },
        {
          name: 'handles-floor',
          metric: 'nodejs.active_handles.all',
          rise: '100%',
          window: '10s',
          floor: 100_000,
          capture: { handles: true },
        },
      ],
      { intervalMillis: 3_600_000 },
    );
    const t0 = Date.now();
    for (let s = 0; s <= 6; s++) await engine.evaluate(t0 + s * 1_000); // a steady baseline for over half the window
    expect(engine.recent).toEqual([]);
    const timers = Array.from({ length: 60 }, () => setTimeout(() => undefined, 60_000));
    try {
      await engine.evaluate(t0 + 7_000);
      const fired = await waitFor(
        () => engine.recent.find((f) => f.rule === 'handles-rise' && f.captureIds.length > 0),
        'the relative rule',
      );
      expect(fired.reason.value).toBeGreaterThan(fired.reason.threshold!);
      expect(engine.recent.some((f) => f.rule === 'handles-floor')).toBe(false);
    } finally {
      timers.forEach(clearTimeout);
    }
  });
});
