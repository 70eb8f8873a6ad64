import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@vigil/test-helpers/metrics';
import { freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';

const GRAPH = new URL('../fixtures/module-graph.mjs', import.meta.url).pathname;
const APP = new URL('../fixtures/idle-app.mjs', import.meta.url).pathname;

let app: Spawned | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

interface Graph {
  modules: string[];
  addon: boolean;
}

/** What the process has resolved so far, and whether the profiler's native addon is mapped (from /proc/PID/maps). */
async function graphOf(spawned: Spawned): Promise<Graph> {
  const seen = spawned
    .output()
    .split('\n')
    .filter((l) => l.startsWith('module-graph ')).length;
  spawned.child.kill('SIGUSR2');
  await spawned.waitForOutput(new RegExp(`(?:module-graph .*\\n[^]*){${seen + 1}}`), 'the module graph');
  const lines = spawned
    .output()
    .split('\n')
    .filter((l) => l.startsWith('module-graph '));
  return JSON.parse(lines[lines.length - 1]!.slice('module-graph '.length)) as Graph;
}

async function startApp(env: Record<string, string>): Promise<{ metrics: string }> {
  const port = await freePort();
  app = spawnNode(['--import', GRAPH, '--import', '@vigil/sdk/register', APP], {
    cwd: new URL('..', import.meta.url).pathname, // test/ depends on @vigil/sdk
    env: { VIGIL_METRICS_HOST: '127.0.0.1', VIGIL_METRICS_PORT: String(port), ...env },
  });
  const metrics = `http://127.0.0.1:${port}/metrics`;
  await waitFor(
    () =>
      fetch(metrics).then(
        (r) => r.status === 200,
        () => false,
      ),
    'Vigil serving /metrics',
  );
  return { metrics };
}

/** The OpenTelemetry packages in the graph, by name. */
const otelPackages = (graph: Graph) =>
  new Set(graph.modules.map((url) => /node_modules\/(@opentelemetry\/[^/]+)\//.exec(url)?.[1]).filter(Boolean));

/** `@opentelemetry/sdk-node` alone costs ~39 MiB at import: only a start with tracing on may load these. */
const TRACING = [
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/exporter-trace-otlp-proto',
];

describe('load only what is used', () => {
  it('a metrics-only start never loads the profiler addon, NodeSDK, the tracing SDK or an instrumentation', async () => {
    await startApp({ VIGIL_PROFILING: 'off', VIGIL_DEBUG_ADDR: 'off', VIGIL_INSTRUMENT_HTTP: 'false' });
    const graph = await graphOf(app!);
    expect(
      graph.modules.some((url) => url.includes('plugin-heap/')),
      'the graph is recorded',
    ).toBe(true);
    expect(graph.addon).toBe(false);
    expect(graph.modules.filter((url) => url.includes('@datadog/pprof'))).toEqual([]);
    const otel = otelPackages(graph);
    expect(otel).toContain('@opentelemetry/sdk-metrics');
    for (const name of TRACING) expect(otel, name).not.toContain(name);
    // The YAML parser (72 modules) is for a rules file, and the default rules need none.
    expect(graph.modules.filter((url) => url.includes('/node_modules/yaml/'))).toEqual([]);
  });

  it('the default (HTTP spans, nothing exporting them) loads no tracing SDK; naming an exporter brings NodeSDK', async () => {
    await startApp({ VIGIL_PROFILING: 'off', VIGIL_DEBUG_ADDR: 'off' });
    const light = otelPackages(await graphOf(app!));
    for (const name of TRACING) expect(light, name).not.toContain(name);
    await app!.stop();

    await startApp({
      VIGIL_PROFILING: 'off',
      VIGIL_DEBUG_ADDR: 'off',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    const exporting = otelPackages(await graphOf(app!));
    expect(exporting).toContain('@opentelemetry/sdk-node');
    expect(exporting).toContain('@opentelemetry/exporter-trace-otlp-proto');
    expect(exporting).not.toContain('@opentelemetry/instrumentation-http');
  });

  it('with profiling off, the addon loads at the first capture, not before', async () => {
    const debugPort = await freePort();
    await startApp({
      VIGIL_PROFILING: 'off',
      VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
      VIGIL_INSTRUMENT_HTTP: 'false',
    });
    expect((await fetch(`http://127.0.0.1:${debugPort}/debug/pprof/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${debugPort}/debug/pprof/handles?debug=1`)).status).toBe(200);
    expect((await graphOf(app!)).addon, 'the index and a handles profile need no addon').toBe(false);

    const heap = await fetch(`http://127.0.0.1:${debugPort}/debug/pprof/heap?debug=1`);
    expect(heap.status).toBe(200);
    expect(await heap.text()).toMatch(/^heap profile/);
    expect((await graphOf(app!)).addon).toBe(true);
  });

  it('with profiling on (the default), the addon is loaded at start', async () => {
    await startApp({ VIGIL_DEBUG_ADDR: 'off', VIGIL_INSTRUMENT_HTTP: 'false' });
    expect((await graphOf(app!)).addon).toBe(true);
  });
});
