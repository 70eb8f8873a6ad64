// The variants the runner can start: the baseline, Vigil's configurations and the peers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST } from './http.ts';
import type { Variant } from './types.ts';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export const BASELINE = 'baseline';
export const VIGIL = 'vigil';
export const DEFAULTS = 'vigil-default';
export const PEERS = ['prom-client', 'runtime-node'];

/** A caller's trace on every request (one trace; each request a span of its own), so that each one is labelled. */
const TRACED = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

/** `register` with nothing set but where it listens: metrics on the runner's port, the debug server on the spare one. */
function defaultsEnv(port: number, spare: number): Record<string, string> {
  return { VIGIL_METRICS_HOST: HOST, VIGIL_METRICS_PORT: String(port), VIGIL_DEBUG_ADDR: `${HOST}:${spare}` };
}

export const ALL_VARIANTS: Variant[] = [
  { name: BASELINE, label: 'no instrumentation' },
  {
    // What issue #2 item 9 asks about: Vigil's metrics. `register` also starts, by default, a continuous CPU profiler,
    // a debug server and HTTP server spans; they are switched off here and measured by `vigil-default`.
    name: VIGIL,
    label: 'Vigil metrics (register; VIGIL_PROFILING=false VIGIL_DEBUG_ADDR=off VIGIL_INSTRUMENT_HTTP=false)',
    preload: '@vigil/sdk/register',
    metricsEnv: (port) => ({
      VIGIL_METRICS_HOST: HOST,
      VIGIL_METRICS_PORT: String(port),
      VIGIL_PROFILING: 'false',
      VIGIL_DEBUG_ADDR: 'off',
      VIGIL_INSTRUMENT_HTTP: 'false',
    }),
  },
  {
    name: 'prom-client',
    label: 'prom-client 15.1.3 collectDefaultMetrics()',
    preload: join(BENCH_DIR, 'variants/prom-client.ts'),
    metricsEnv: (port) => ({ BENCH_METRICS_HOST: HOST, BENCH_METRICS_PORT: String(port) }),
  },
  {
    name: 'runtime-node',
    label: '@opentelemetry/instrumentation-runtime-node 0.37.0 + exporter-prometheus 0.301.0',
    preload: join(BENCH_DIR, 'variants/runtime-node.ts'),
    metricsEnv: (port) => ({ BENCH_METRICS_HOST: HOST, BENCH_METRICS_PORT: String(port) }),
  },
  // Not in the default set (add them with --variants):
  {
    // Everything `register` turns on by default: metrics, the continuous profiler (flight recorder), the debug server.
    name: DEFAULTS,
    label: 'Vigil with its defaults (metrics, continuous profiling, debug server, HTTP spans)',
    preload: '@vigil/sdk/register',
    metricsEnv: defaultsEnv,
  },
  {
    // The defaults under traced load: every request carries a caller's traceparent (one trace; each request is a span
    // of its own), so every request's samples are labelled. Untraced requests are not (UNLINKED_TRACE), which is what
    // `vigil-default` measures; the baseline gets no header.
    name: 'vigil-default-traced',
    label: 'Vigil with its defaults, every request with a traceparent (all of them labelled)',
    preload: '@vigil/sdk/register',
    headers: TRACED,
    metricsEnv: defaultsEnv,
  },
  {
    name: 'vigil-source',
    label: 'Vigil metrics loaded from its TypeScript sources (--conditions=source)',
    preload: '@vigil/sdk/register',
    source: true,
    metricsEnv: (port) => ({
      VIGIL_METRICS_HOST: HOST,
      VIGIL_METRICS_PORT: String(port),
      VIGIL_PROFILING: 'false',
      VIGIL_DEBUG_ADDR: 'off',
      VIGIL_INSTRUMENT_HTTP: 'false',
    }),
  },
  {
    name: 'vigil-prom-names',
    label: 'Vigil metrics with VIGIL_METRIC_NAMES=prom-client',
    preload: '@vigil/sdk/register',
    metricsEnv: (port) => ({
      VIGIL_METRICS_HOST: HOST,
      VIGIL_METRICS_PORT: String(port),
      VIGIL_METRIC_NAMES: 'prom-client',
      VIGIL_PROFILING: 'false',
      VIGIL_DEBUG_ADDR: 'off',
      VIGIL_INSTRUMENT_HTTP: 'false',
    }),
  },
  // Issue #3 (continuous profiling) and issue #4 (span labels). All of them run without the default trigger rules
  // (a rule's capture must not land in a run), store any capture in a temporary directory, and serve the debug
  // endpoints, whose index page tells the flight recorder's size.
  {
    name: 'vigil-profiling-off',
    label: 'Vigil metrics + debug server, no continuous profiling (VIGIL_PROFILING=off, no HTTP spans, no labels)',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) =>
      vigilEnv(port, spare, { VIGIL_PROFILING: 'off', VIGIL_INSTRUMENT_HTTP: 'false', VIGIL_SPAN_LABELS: 'off' }),
  },
  {
    name: 'vigil-profiling',
    label: 'Vigil with continuous profiling (flight recorder), no HTTP spans, no labels',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) =>
      vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'false', VIGIL_SPAN_LABELS: 'off' }),
  },
  {
    name: 'vigil-http',
    label: 'Vigil with continuous profiling and HTTP server spans, no labels (the reference for the labels)',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) =>
      vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'true', VIGIL_SPAN_LABELS: 'off' }),
  },
  {
    name: 'vigil-labels-cped',
    label: 'vigil-http + span labels through the async-context frame (VIGIL_SPAN_LABELS=cped), traced requests',
    preload: '@vigil/sdk/register',
    // Only traced requests are labelled (UNLINKED_TRACE): every request carries a caller's traceparent.
    headers: TRACED,
    debug: true,
    metricsEnv: (port, spare) =>
      vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'true', VIGIL_SPAN_LABELS: 'cped' }),
  },
  {
    name: 'vigil-labels-hooks',
    label: 'vigil-http + span labels through an async hook (VIGIL_SPAN_LABELS=async-hooks), traced requests',
    preload: '@vigil/sdk/register',
    // Only traced requests are labelled (UNLINKED_TRACE): every request carries a caller's traceparent.
    headers: TRACED,
    debug: true,
    metricsEnv: (port, spare) =>
      vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'true', VIGIL_SPAN_LABELS: 'async-hooks' }),
  },
  {
    name: 'pyroscope',
    label: '@pyroscope/nodejs 0.6.4: wall (100 Hz) + heap profiling, pushed every 5 s to a local sink',
    preload: join(BENCH_DIR, 'variants/pyroscope.ts'),
    pushes: true,
    env: (sinkUrl) => ({ BENCH_PYROSCOPE_URL: sinkUrl, BENCH_PYROSCOPE_FLUSH_MS: '5000' }),
  },
];
export const DEFAULT_VARIANTS = [BASELINE, VIGIL, ...PEERS];
export const PROFILING = 'vigil-profiling';
export const PROFILING_OFF = 'vigil-profiling-off';
export const PYROSCOPE = 'pyroscope';
export const HTTP = 'vigil-http';
export const LABELS = ['vigil-labels-cped', 'vigil-labels-hooks'];

/** A temporary capture store for the Vigil variants of issues #3 and #4 (made on first use, removed at the end). */
export let storeDir: string | undefined;
export const STORE_DIR = () => (storeDir ??= mkdtempSync(join(tmpdir(), 'vigil-bench-store-')));

export function vigilEnv(port: number, spare: number, settings: Record<string, string>): Record<string, string> {
  return {
    VIGIL_METRICS_HOST: HOST,
    VIGIL_METRICS_PORT: String(port),
    VIGIL_DEBUG_ADDR: `${HOST}:${spare}`,
    VIGIL_DEFAULT_RULES: 'off',
    VIGIL_STORE: `file://${STORE_DIR()}`,
    ...settings,
  };
}

/** Removes the temporary capture store, if a run made one. */
export function removeStoreDir(): void {
  if (storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
}
