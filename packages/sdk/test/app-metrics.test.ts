import { metrics, type DiagLogger } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { start, vigilComponents, type VigilHandle } from '@vigil/sdk';

let handle: VigilHandle | undefined;
let appProvider: MeterProvider | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  await appProvider?.shutdown();
  appProvider = undefined;
  metrics.disable();
});

function recordingLogger(): DiagLogger & { lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (...args: unknown[]) =>
      void lines.push(`${level} ${args.join(' ')}`);
  return {
    lines,
    error: push('error'),
    warn: push('warn'),
    info: push('info'),
    debug: push('debug'),
    verbose: push('verbose'),
  };
}

const metricsOnly = {
  metricsHost: '127.0.0.1',
  metricsPort: 0,
  debugAddr: 'off',
  profiling: false,
  instrumentHttp: false,
} as const;

describe("the app's own metrics on /metrics", () => {
  it.each(['otel', 'prom-client'] as const)(
    "an instrument made through @opentelemetry/api is served next to Vigil's (%s names)",
    async (metricNames) => {
      handle = await start({ ...metricsOnly, metricNames });
      const meter = metrics.getMeter('shop');
      meter.createCounter('shop.orders').add(3, { channel: 'web' });
      meter.createHistogram('shop.basket.size').record(4);
      const text = await (await fetch(handle.metricsUrl!)).text();
      expect(text).toMatch(/^shop_orders_total\{channel="web"\} 3$/m);
      expect(text).toMatch(/^shop_basket_size_count 1$/m);
      expect(text).toMatch(metricNames === 'otel' ? /^v8js_memory_heap_used\{/m : /^nodejs_heap_size_used_bytes /m);
    },
  );

  it("an app MeterProvider registered first keeps the global slot; with Vigil's reader its metrics are served too", async () => {
    appProvider = new MeterProvider({ readers: vigilComponents().metricReaders });
    expect(metrics.setGlobalMeterProvider(appProvider)).toBe(true);
    const diagLogger = recordingLogger();
    handle = await start({ ...metricsOnly, diagLogger, logLevel: 'info' });
    expect(metrics.getMeterProvider()).toBe(appProvider);
    metrics.getMeter('shop').createCounter('shop.refunds').add(2);
    const text = await (await fetch(handle.metricsUrl!)).text();
    expect(text).toMatch(/^shop_refunds_total 2$/m);
    expect(text).toMatch(/^nodejs_eventloop_delay_max /m);
    expect(diagLogger.lines.filter((l) => l.startsWith('error') || l.startsWith('warn'))).toEqual([]);
  });

  it('vigilComponents() after start() frees the global MeterProvider for the app, whose metrics are then served', async () => {
    handle = await start(metricsOnly);
    const early = metrics.getMeter('shop').createCounter('shop.early');
    early.add(1);
    appProvider = new MeterProvider({ readers: vigilComponents().metricReaders });
    expect(metrics.setGlobalMeterProvider(appProvider)).toBe(true); // the slot was free: no duplicate registration
    metrics.getMeter('shop').createCounter('shop.late').add(5);
    const text = await (await fetch(handle.metricsUrl!)).text();
    expect(text).toMatch(/^shop_early_total 1$/m); // a meter taken from Vigil's provider before keeps working
    expect(text).toMatch(/^shop_late_total 5$/m);
  });
});
