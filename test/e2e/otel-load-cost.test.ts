import { describe, expect, it } from 'vitest';
import { spawnNode } from '../helpers/process.ts';

/**
 * Importing `@opentelemetry/sdk-node` adds ~39 MiB RSS: a metrics-only start must not load it, nor the tracing SDK or
 * the HTTP instrumentation. Read from the module loader (every import and require), so it cannot regress silently.
 */
async function loadedPackages(env: Record<string, string>): Promise<string[]> {
  const app = spawnNode(['test/fixtures/loaded-packages.mjs'], { env: { VIGIL_METRICS_PORT: '0', VIGIL_METRICS_HOST: '127.0.0.1', VIGIL_DEBUG_ADDR: 'off', ...env } });
  const [, list] = await app.waitForOutput(/^loaded: (.*)$/m, 'the list of loaded packages');
  await app.exited();
  return JSON.parse(list!) as string[];
}

const TRACING = ['@opentelemetry/sdk-node', '@opentelemetry/sdk-trace', '@opentelemetry/instrumentation', '@opentelemetry/instrumentation-http', '@opentelemetry/exporter-trace-otlp-proto'];

describe('what a start loads', () => {
  it('metrics only (profiling and HTTP spans off): the metrics SDK, no NodeSDK, no tracing SDK, no instrumentation', async () => {
    const loaded = await loadedPackages({ VIGIL_PROFILING: 'off', VIGIL_INSTRUMENT_HTTP: 'false' });
    expect(loaded).toContain('@opentelemetry/sdk-metrics');
    expect(loaded).toContain('@opentelemetry/exporter-prometheus');
    for (const name of TRACING) expect(loaded, name).not.toContain(name);
  });

  it('tracing on (the default): NodeSDK underneath', async () => {
    const loaded = await loadedPackages({});
    expect(loaded).toContain('@opentelemetry/sdk-node');
    expect(loaded).toContain('@opentelemetry/instrumentation-http');
  });
});
