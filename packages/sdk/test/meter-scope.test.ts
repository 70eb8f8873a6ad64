import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PluginHost, type VigilPlugin } from '@vigil/core';
import { eventLoopMetrics } from '@vigil/plugin-event-loop';
import { handleMetrics } from '@vigil/plugin-handles';
import { heapMetrics } from '@vigil/plugin-heap';
import { processMetrics } from '@vigil/plugin-process';
import { OnDemandReader } from '@vigil/test-helpers/metrics';

describe('meter scopes', () => {
  it("each metric plugin's meter is named and versioned after its own package", async () => {
    const reader = new OnDemandReader();
    const plugins: VigilPlugin[] = [eventLoopMetrics(), heapMetrics(), handleMetrics(), processMetrics()];
    const host = new PluginHost({ meterProvider: new MeterProvider({ readers: [reader] }), plugins });
    await host.start();
    try {
      const { resourceMetrics } = await reader.collect();
      const scopes = new Map(resourceMetrics.scopeMetrics.map((s) => [s.scope.name, s.scope.version]));
      for (const dir of ['plugin-event-loop', 'plugin-heap', 'plugin-handles', 'plugin-process']) {
        const pkg = (await import(`../../${dir}/package.json`, { with: { type: 'json' } })) as {
          default: { name: string; version: string };
        };
        expect(scopes.get(pkg.default.name), dir).toBe(pkg.default.version);
      }
      expect([...scopes.keys()].filter((name) => !name.startsWith('@vigil/'))).toEqual([]);
    } finally {
      await host.stop();
    }
  });
});
