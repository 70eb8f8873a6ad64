import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PluginHost, type VigilPlugin } from '@vigil/core';
import { OnDemandReader } from '@vigil/test-helpers/metrics';

describe('meter scopes', () => {
  it('a plugin without a scope gets a meter named after the plugin', async () => {
    const reader = new OnDemandReader();
    const plugin: VigilPlugin = {
      name: 'queue-depth',
      version: '2.3.4',
      start: (ctx) => void ctx.meter.createObservableGauge('app.queue.depth').addCallback((r) => r.observe(1)),
    };
    const host = new PluginHost({ meterProvider: new MeterProvider({ readers: [reader] }), plugins: [plugin] });
    await host.start();
    const { resourceMetrics } = await reader.collect();
    await host.stop();
    const scope = resourceMetrics.scopeMetrics.find((s) =>
      s.metrics.some((m) => m.descriptor.name === 'app.queue.depth'),
    )?.scope;
    expect(scope).toMatchObject({ name: 'queue-depth', version: '2.3.4' });
  });
});
