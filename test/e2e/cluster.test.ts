import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';
import { Prometheus } from '@vigil/test-helpers/prometheus';

/**
 * A node:cluster service of 2 workers started with `--import @vigil/sdk/register` (the workers inherit it) under
 * load: a real Prometheus scrapes the primary's one endpoint and finds both workers' series labelled by worker, and
 * a CPU capture asked of a chosen worker comes from that worker.
 */
const store = mkdtempSync(join(tmpdir(), 'vigil-cluster-store-'));
let app: Spawned;
let appPort: number;
let metricsPort: number;
let prometheus: Prometheus;
let load: Promise<unknown> | undefined;

/** The pids that answer new connections (the primary hands them to its workers round-robin). */
async function answeringPids(count: number): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < count; i++) {
    const text = await (await fetch(`http://127.0.0.1:${appPort}/`, { headers: { connection: 'close' } })).text();
    pids.add(/pid (\d+)/.exec(text)?.[1] ?? 'none');
  }
  return pids;
}

beforeAll(async () => {
  appPort = await freePort();
  metricsPort = await freePort();
  app = spawnNode(['--import', '@vigil/sdk/register', 'fixtures/cluster-app.mjs'], {
    cwd: join(REPO_ROOT, 'test'),
    env: {
      WORKERS: '2',
      PORT: String(appPort),
      VIGIL_METRICS_PORT: String(metricsPort),
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_STORE: `file://${store}`,
    },
  });
  // The app's own cluster messages still reach its primary.
  await app.waitForOutput(/primary: worker 1 ready/);
  await app.waitForOutput(/primary: worker 2 ready/);
  // Load through all three tests (they take about 15 s here; afterAll waits for the rest).
  load = driveLoad(`http://127.0.0.1:${appPort}`, ['/'], { durationMillis: 15_000, concurrency: 4 });
  prometheus = await Prometheus.start(
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - { job_name: cluster, static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }] }`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await load;
  await prometheus?.stop();
  await app?.stop();
  rmSync(store, { recursive: true, force: true });
});

/** Worker id → pid and debug URL, from the primary's vigil_cluster_worker_up as Prometheus stored it. */
async function workersInPrometheus(): Promise<Map<string, { pid: string; debugUrl: string }>> {
  const series = await prometheus.queryUntilPresent('vigil_cluster_worker_up == 1');
  return new Map(
    series.map((s) => [s.metric.cluster_worker!, { pid: s.metric.process_pid!, debugUrl: s.metric.debug_url! }]),
  );
}

describe('node:cluster with 2 workers under load', () => {
  it('one endpoint: Prometheus scrapes every worker, each series labelled by its worker', async () => {
    const workers = await waitFor(
      async () => {
        const w = await workersInPrometheus();
        return w.size === 2 ? w : undefined;
      },
      'both workers up in Prometheus',
      30_000,
    );
    expect([...workers.keys()].sort()).toEqual(['1', '2']);

    // Every process's own series, told apart by cluster_worker, with the pid of the process that made them.
    const targets = await waitFor(
      async () => {
        const t = await prometheus.query('target_info');
        return t.length === 3 ? t : undefined;
      },
      'target_info of the primary and both workers',
      30_000,
    );
    const pidByWorker = Object.fromEntries(targets.map((t) => [t.metric.cluster_worker, t.metric.process_pid]));
    expect(pidByWorker['1']).toBe(workers.get('1')!.pid);
    expect(pidByWorker['2']).toBe(workers.get('2')!.pid);
    expect(pidByWorker.primary).toBe(String(app.child.pid));

    // Both workers are instrumented and busy: each one's CPU time grows under the load, as Prometheus sees it.
    const busy = await waitFor(
      async () => {
        const r = await prometheus.query(
          'sum by (cluster_worker) (rate(process_cpu_time_total{cluster_worker=~"1|2"}[5s])) > 0',
        );
        return r.length === 2 ? r : undefined;
      },
      'CPU time of both workers rising',
      30_000,
    );
    expect(busy.map((r) => r.metric.cluster_worker).sort()).toEqual(['1', '2']);

    // The processes that answer the app's requests are the ones whose series Prometheus holds.
    expect([...(await answeringPids(6))].sort()).toEqual([workers.get('1')!.pid, workers.get('2')!.pid].sort());
    expect(app.output()).not.toMatch(/not started|VIGIL_ERR/);
  });

  it('a capture asked of a chosen worker profiles that worker', async () => {
    const workers = await waitFor(
      async () => {
        const w = await workersInPrometheus();
        return w.size === 2 ? w : undefined;
      },
      'both workers up in Prometheus',
      30_000,
    );
    const chosen = workers.get('2')!;
    const accepted = await fetch(`${chosen.debugUrl}/debug/vigil/captures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'cpu', seconds: 2 }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };

    const listed = await waitFor(
      async () => {
        const { captures } = (await (await fetch(`${chosen.debugUrl}/debug/vigil/captures`)).json()) as {
          captures: { id: string; pid: number }[];
        };
        return captures.find((c) => c.id === id);
      },
      `capture ${id} stored`,
      30_000,
    );
    expect(String(listed.pid)).toBe(chosen.pid);

    const profile = await fetch(`${chosen.debugUrl}/debug/vigil/captures/${id}`);
    expect(profile.status).toBe(200);
    const { rows, output } = goPprofTop(new Uint8Array(await profile.arrayBuffer()), ['-sample_index=cpu', '-cum']);
    expect(
      rows.some((r) => r.name.includes('handleRequest')),
      output,
    ).toBe(true);
  });

  it("a worker that exits drops out of the primary's endpoint; the others stay", async () => {
    const workers = await workersInPrometheus();
    process.kill(Number(workers.get('1')!.pid), 'SIGKILL');
    const text = await waitFor(
      async () => {
        const t = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return /cluster_worker="1"/.test(t) ? undefined : t;
      },
      'worker 1 gone from /metrics',
      20_000,
    );
    expect(text).toMatch(/^vigil_cluster_worker_up\{cluster_worker="2",[^}]*\} 1$/m);
    expect(text).toMatch(/^target_info\{cluster_worker="2",/m);
  });
});
