import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { Prometheus, promtoolCheckMetrics } from '@vigil/test-helpers/prometheus';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';

/**
 * A real Prometheus scrapes examples/leftpad, instrumented through `--import @vigil/sdk/register`, once in each naming
 * mode; PromQL over its HTTP API must return the event-loop, heap and handle series with the expected labels.
 */
interface Target {
  app: Spawned;
  appPort: number;
  metricsPort: number;
}

const targets: Record<'otel' | 'promClient', Target> = {} as never;
let prometheus: Prometheus;

async function startLeftpad(names: string): Promise<Target> {
  const appPort = await freePort();
  const metricsPort = await freePort();
  const app = spawnNode(['--import', '@vigil/sdk/register', 'src/server.ts'], {
    cwd: `${REPO_ROOT}examples/leftpad`,
    env: {
      PORT: String(appPort),
      OTEL_SERVICE_NAME: 'leftpad',
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(metricsPort),
      VIGIL_METRIC_NAMES: names,
    },
  });
  await app.waitForOutput(/leftpad listening/);
  return { app, appPort, metricsPort };
}

beforeAll(async () => {
  targets.otel = await startLeftpad('otel');
  targets.promClient = await startLeftpad('prom-client');
  prometheus = await Prometheus.start(`
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: leftpad-otel
    static_configs: [{ targets: ['127.0.0.1:${targets.otel.metricsPort}'] }]
  - job_name: leftpad-prom-client
    static_configs: [{ targets: ['127.0.0.1:${targets.promClient.metricsPort}'] }]
`);
  await Promise.all(
    Object.values(targets).map((t) =>
      driveLoad(`http://127.0.0.1:${t.appPort}`, ['/pad?len=2000', '/catalogue'], {
        durationMillis: 2_000,
        concurrency: 8,
      }),
    ),
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(Object.values(targets).map((t) => t.app.stop()));
});

describe('Prometheus scrapes examples/leftpad', () => {
  it('OpenTelemetry names: event loop, heap and handles with their labels', async () => {
    const job = 'job="leftpad-otel"';
    const [delay] = await prometheus.queryUntilPresent(`nodejs_eventloop_delay_p99{${job}}`);
    expect(delay!.metric.instance).toBe(`127.0.0.1:${targets.otel.metricsPort}`);
    // A 300 ms stall of the app's loop reaches Prometheus as the window's max, in seconds; the p99 stays below it.
    expect((await fetch(`http://127.0.0.1:${targets.otel.appPort}/block?ms=300`)).ok).toBe(true);
    const [stall] = await prometheus.queryUntilPresent(`nodejs_eventloop_delay_max{${job}} > 0.25`);
    expect(Number(stall!.value[1])).toBeLessThan(1);
    expect(
      await prometheus.query(`nodejs_eventloop_delay_p99{${job}} <= nodejs_eventloop_delay_max{${job}}`),
    ).toHaveLength(1);

    const spaces = await prometheus.queryUntilPresent(`v8js_memory_heap_used{${job}}`);
    expect(spaces.map((s) => s.metric.v8js_heap_space_name)).toEqual(
      expect.arrayContaining(['old_space', 'new_space', 'code_space']),
    );
    const [used] = await prometheus.queryUntilPresent(`v8js_heap_used{${job}}`);
    expect(Number(used!.value[1])).toBeGreaterThan(1024 * 1024);

    const servers = await prometheus.queryUntilPresent(
      `nodejs_active_handles{${job},nodejs_resource_type="TCPServerWrap"}`,
    );
    expect(Number(servers[0]!.value[1])).toBe(1); // the app's server; Vigil's own is unref'd and not counted

    const [utilization] = await prometheus.queryUntilPresent(`nodejs_eventloop_utilization{${job}}`);
    expect(Number(utilization!.value[1])).toBeGreaterThan(0);
    const cpu = await prometheus.queryUntilPresent(`process_cpu_time_total{${job}}`);
    expect(cpu.map((s) => s.metric.cpu_mode).sort()).toEqual(['system', 'user']);
    const [info] = await prometheus.queryUntilPresent(`target_info{${job}}`);
    expect(info!.metric.service_name).toBe('leftpad');
  });

  it('prom-client names: the series existing dashboards query', async () => {
    const job = 'job="leftpad-prom-client"';
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'process_open_fds',
    ]) {
      await prometheus.queryUntilPresent(`${name}{${job}}`);
    }
    const spaces = await prometheus.queryUntilPresent(`nodejs_heap_space_size_used_bytes{${job}}`);
    expect(spaces.map((s) => s.metric.space)).toEqual(expect.arrayContaining(['old', 'new', 'code']));
    const [version] = await prometheus.queryUntilPresent(`nodejs_version_info{${job}}`);
    expect(version!.metric.version).toMatch(/^v\d+\.\d+\.\d+$/);
    const handles = await prometheus.queryUntilPresent(`nodejs_active_handles{${job}}`);
    expect(handles.map((s) => s.metric.type)).toContain('TCPServerWrap');
    const gc = await prometheus.queryUntilPresent(`nodejs_gc_duration_seconds_count{${job}}`);
    expect(gc.map((s) => s.metric.kind)).toContain('minor');
  });

  it('promtool check metrics: no errors in either mode', async () => {
    const otel = promtoolCheckMetrics(
      await (await fetch(`http://127.0.0.1:${targets.otel.metricsPort}/metrics`)).text(),
    );
    expect(otel.output).toBe('');
    expect(otel.status).toBe(0);

    // prom-client itself names three gauges `*_total`; promtool's linter flags exactly those (exit 3, lint only),
    // and they are kept because the dashboards that query them are the point of this mode.
    const prom = promtoolCheckMetrics(
      await (await fetch(`http://127.0.0.1:${targets.promClient.metricsPort}/metrics`)).text(),
    );
    const findings = prom.output.split('\n').filter(Boolean).sort();
    expect(findings).toEqual([
      'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
      'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
      'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
    ]);
    expect(prom.status).toBe(3);
  });
});
