import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { exporterText } from '../../src/cluster/cluster-metrics.ts';

let provider: MeterProvider | undefined;
afterEach(async () => provider?.shutdown());

describe('exporterText', () => {
  it('is the exporter’s own exposition, read without a server', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    provider = new MeterProvider({ readers: [exporter] });
    provider.getMeter('test').createCounter('orders').add(3, { shop: 'north' });
    const text = await exporterText(exporter);
    expect(text).toMatch(/^# TYPE orders_total counter$/m);
    expect(text).toMatch(/^orders_total\{shop="north"\} 3$/m);
  });
});
