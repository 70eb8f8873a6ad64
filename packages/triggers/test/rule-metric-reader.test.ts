import { afterEach, describe, expect, it } from 'vitest';
import { diag, type DiagLogger } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TriggerEngine, parseRules, ruleMetricReader, type RuleInput } from '@vigil/triggers';

/** The app's own instruments on a real MeterProvider, read by rules through the reader the sdk passes into it. */
let provider: MeterProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
});

function setup(rules: RuleInput[], missingAfterMillis = 60_000) {
  const reader = ruleMetricReader();
  provider = new MeterProvider({ readers: [reader] });
  const warnings: string[] = [];
  const log: DiagLogger = { ...diag, warn: (message: string) => void warnings.push(message) };
  const engine = new TriggerEngine({
    rules: parseRules(
      rules.map((r) => ({ for: '0s', cooldown: '0s', capture: { heap: true }, ...r })),
      'test',
    ),
    reader,
    names: 'otel',
    captures: undefined, // every firing is skipped as no-store: what it read is in its reason
    intervalMillis: 1_000,
    capturesPerHour: 100,
    diskBudgetBytes: Infinity,
    missingAfterMillis,
    meter: provider.getMeter('vigil-test'),
    diag: log,
    onError: (error) => {
      throw error;
    },
  });
  return { engine, meter: provider.getMeter('app'), warnings };
}

const values = (engine: TriggerEngine, rule: string) =>
  engine.recent.filter((f) => f.rule === rule).map((f) => f.reason.value);

describe('rules on the MeterProvider', () => {
  it('a histogram statistic covers the last interval only, per matched series', async () => {
    const { engine, meter } = setup([
      { name: 'max', metric: 'http.server.request.duration{http.route="/checkout"}', stat: 'max', above: '400ms' },
      { name: 'p50', metric: 'http.server.request.duration{http.route="/checkout"}', stat: 'p50', above: '10ms' },
      { name: 'mean-all', metric: 'http.server.request.duration', stat: 'mean', above: '1ms' },
    ]);
    const duration = meter.createHistogram('http.server.request.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.01, 0.1, 1] },
    });
    duration.record(0.5, { 'http.route': '/checkout' });
    duration.record(0.05, { 'http.route': '/checkout' });
    duration.record(0.05, { 'http.route': '/checkout' });
    duration.record(2, { 'http.route': '/other' });
    await engine.evaluate(1_000);
    expect(values(engine, 'max')).toEqual([0.5]); // /other's 2 s is not /checkout's
    expect(values(engine, 'p50')[0]).toBeGreaterThan(0.01);
    expect(values(engine, 'p50')[0]).toBeLessThanOrEqual(0.1);
    expect(values(engine, 'mean-all')[0]).toBeCloseTo((0.5 + 0.05 + 0.05 + 2) / 4);

    duration.record(0.02, { 'http.route': '/checkout' });
    await engine.evaluate(2_000);
    expect(values(engine, 'max')).toEqual([0.5]); // the slow request was the previous interval's: no second firing
  });

  it('a counter is read as a rate over its window; a gauge as its slope', async () => {
    const { engine, meter } = setup([
      { name: 'orders', metric: 'app.orders', stat: 'rate(10s)', above: 5 },
      { name: 'queue', metric: 'app.queue.depth{queue="mail"}', stat: 'deriv(10s)', above: 1 },
    ]);
    const orders = meter.createCounter('app.orders');
    let depth = 0;
    meter.createObservableGauge('app.queue.depth').addCallback((r) => {
      r.observe(depth, { queue: 'mail' });
      r.observe(1_000, { queue: 'sms' });
    });
    for (let s = 0; s <= 10; s++) {
      orders.add(10);
      depth += 3;
      await engine.evaluate(s * 1_000);
    }
    const rates = values(engine, 'orders');
    expect(rates.length).toBeGreaterThan(0);
    expect(rates.at(-1)).toBeCloseTo(10);
    expect(values(engine, 'queue').at(-1)).toBeCloseTo(3);
  });

  it('reads an instrument in another unit through its unit, and names a unit mismatch', async () => {
    const { engine, meter, warnings } = setup([
      { name: 'latency-ms', metric: 'rpc.duration', stat: 'max', above: '200ms' },
      { name: 'wrong-unit', metric: 'app.cache.size', above: '1s' },
    ]);
    meter.createHistogram('rpc.duration', { unit: 'ms' }).record(350);
    meter.createObservableGauge('app.cache.size', { unit: 'By' }).addCallback((r) => r.observe(1_000));
    await engine.evaluate(1_000);
    expect(values(engine, 'latency-ms')[0]).toBeCloseTo(0.35);
    expect(engine.health('wrong-unit')).toMatchObject({ state: 'invalid' });
    expect(warnings.join('\n')).toMatch(
      /rule wrong-unit: the threshold is a duration but the instrument's unit is "By"/,
    );
  });

  it('a rule whose metric never appears is reported once, and in its health', async () => {
    const { engine, warnings } = setup([{ name: 'typo', metric: 'v8js.heap.usd', above: '1MiB' }], 5_000);
    await engine.evaluate(Date.now());
    expect(engine.health('typo')).toEqual({ state: 'waiting' });
    await engine.evaluate(Date.now() + 6_000);
    await engine.evaluate(Date.now() + 7_000);
    expect(engine.health('typo')).toMatchObject({
      state: 'missing',
      problem: expect.stringMatching(/no series of v8js\.heap\.usd has appeared/),
    });
    expect(warnings.filter((w) => w.includes('typo'))).toHaveLength(1);
  });

  it('names a counter read as a value, and a histogram read without a statistic', async () => {
    const { engine, meter } = setup([
      { name: 'raw-counter', metric: 'app.orders', above: 5 },
      { name: 'raw-histogram', metric: 'app.latency', above: '1s' },
    ]);
    meter.createCounter('app.orders').add(1);
    meter.createHistogram('app.latency', { unit: 's' }).record(2);
    await engine.evaluate(1_000);
    expect(engine.health('raw-counter')?.problem).toMatch(
      /is a counter, which only grows: read it with stat rate\(1m\)/,
    );
    expect(engine.health('raw-histogram')?.problem).toMatch(/is a histogram: read it with stat p99, max/);
    expect(engine.recent).toEqual([]);
  });
});
