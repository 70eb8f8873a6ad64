import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alertmanager } from '@vigil/test-helpers/alertmanager';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';
import { Prometheus } from '@vigil/test-helpers/prometheus';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';

/**
 * The whole loop with real parts: examples/leftpad stalls its event loop in a named function; Prometheus scrapes it
 * every second and evaluates the rule that `vigil rules export` wrote; Alertmanager calls Vigil's webhook; Vigil takes
 * the capture of the rule's plan. The capture must start before the alert fired and have the stalling function on top.
 */
const RULES = `
rules:
  - name: leftpad-stall
    metric: nodejs.eventloop.delay.max
    above: 500ms
    for: 0s
    capture: { cpu: 3s, lookback: 30s }
    cooldown: 1m
  # Never crossed (Prometheus does not fire it): the repeated-notification test sends its alert by hand. No cooldown,
  # so only the deduplication can keep a repeat from capturing again.
  - name: leftpad-repeat
    metric: nodejs.eventloop.delay.max
    above: 60s
    for: 0s
    capture: { cpu: 1s }
    cooldown: 0s
`;

interface CaptureListing {
  id: string;
  startedAt: string;
  endedAt: string;
  reason: { kind: string; name?: string; threshold?: number };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-alert-e2e-'));
let app: Spawned;
let prometheus: Prometheus;
let alertmanager: Alertmanager;
let debugUrl: string;
let appUrl: string;
let metricsUrl: string;

async function startLeftpad(extraEnv: Record<string, string>) {
  const [appPort, debugPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const proc = spawnNode(['--import', '@vigil/sdk/register', 'src/server.ts'], {
    cwd: `${REPO_ROOT}examples/leftpad`,
    env: {
      PORT: String(appPort),
      OTEL_SERVICE_NAME: 'leftpad',
      VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(metricsPort),
      VIGIL_RULES: join(dir, 'rules.yml'),
      VIGIL_DEFAULT_RULES: 'off',
      VIGIL_EVENT_LOOP_WINDOW: '5s',
      VIGIL_STORE: `file://${mkdtempSync(join(dir, 'store-'))}`,
      ...extraEnv,
    },
  });
  await proc.waitForOutput(/leftpad listening/);
  return { proc, appUrl: `http://127.0.0.1:${appPort}`, debugUrl: `http://127.0.0.1:${debugPort}`, metricsPort };
}

/** The profiler runs (continuous profiling, the flight recorder filling), so a capture can reach back before a stall. */
async function profilerRunning(url: string): Promise<void> {
  await waitFor(
    async () => /Continuous profiling is on/.test(await (await fetch(`${url}/debug/pprof/`)).text()),
    'the continuous profiler',
  );
}

async function firingsOf(
  url: string,
  rule: string,
): Promise<{ rule: string; skipped?: string; captureIds: string[] }[]> {
  const { recent } = (await (await fetch(`${url}/debug/vigil/triggers`)).json()) as {
    recent: { rule: string; skipped?: string; captureIds: string[] }[];
  };
  return recent.filter((f) => f.rule === rule);
}

async function capturesOf(url: string, rule: string): Promise<CaptureListing[]> {
  const body = (await (await fetch(`${url}/debug/vigil/captures?rule=${rule}`)).json()) as {
    captures: CaptureListing[];
  };
  return body.captures;
}

describe('Prometheus alert -> Alertmanager webhook -> capture', () => {
  beforeAll(async () => {
    writeFileSync(join(dir, 'rules.yml'), RULES);
    // The in-process engine must not be the one capturing here: its interval is pushed out of reach. The stall stays
    // in the event-loop window for 15 s, so that Prometheus, scraping every second with a 1 s timeout, has many
    // chances to see it on a loaded machine (the rule's lookback, 30 s, still reaches back before it).
    const started = await startLeftpad({ VIGIL_TRIGGER_INTERVAL: '1h', VIGIL_EVENT_LOOP_WINDOW: '15s' });
    app = started.proc;
    debugUrl = started.debugUrl;
    appUrl = started.appUrl;
    metricsUrl = `http://127.0.0.1:${started.metricsPort}/metrics`;
    const exported = execFileSync(
      process.execPath,
      [
        '--conditions=source',
        `${REPO_ROOT}packages/cli/src/cli.ts`,
        'rules',
        'export',
        '--format',
        'prometheus',
        '--rules',
        join(dir, 'rules.yml'),
        '--no-defaults',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(join(dir, 'alerts.yml'), exported);
    execFileSync('promtool', ['check', 'rules', join(dir, 'alerts.yml')]);

    alertmanager = await Alertmanager.start(`
route: { receiver: vigil, group_by: [alertname, instance], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
receivers:
  - name: vigil
    webhook_configs: [{ url: '${debugUrl}/debug/vigil/alerts', send_resolved: false }]
`);
    prometheus = await Prometheus.start(`
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ['${join(dir, 'alerts.yml')}']
alerting: { alertmanagers: [{ static_configs: [{ targets: ['${alertmanager.url.replace('http://', '')}'] }] }] }
scrape_configs:
  - job_name: leftpad
    static_configs: [{ targets: ['127.0.0.1:${started.metricsPort}'] }]
`);
    await prometheus.queryUntilPresent('nodejs_eventloop_delay_max{job="leftpad"}');
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await app?.stop();
  });

  it('the exported rule fires, Alertmanager calls the webhook, and the capture explains the stall', async () => {
    await profilerRunning(debugUrl);
    // Twice in CI runs (Node 24, then Node 22) no alert came after one stall, and the second time Prometheus had read
    // every scrape (up = 1) with the delay never above 17 ms: its samples never showed the stall. Not explained yet.
    // So the test stalls again, up to three times, when no alert comes within 15 s, and says what each side saw.
    const firing = 'ALERTS{alertname="VigilLeftpadStall",alertstate="firing"}';
    let stallStarted = 0;
    let alert: { metric: Record<string, string> } | undefined;
    for (let stall = 1; alert === undefined; stall++) {
      stallStarted = Date.now();
      expect((await fetch(`${appUrl}/block?ms=1500`)).ok).toBe(true);
      const own = (await (await fetch(metricsUrl)).text()).match(/^nodejs_eventloop_delay_max\b.*$/m)?.[0];
      try {
        [alert] = await prometheus.queryUntilPresent(firing, 15_000);
      } catch (error) {
        // What Prometheus saw of the target (its scrapes' health, the delay it read) and what the app served itself.
        const seen = await prometheus.query('nodejs_eventloop_delay_max[1m]').catch(String);
        const up = await prometheus.query('up[1m]').catch(String);
        const what = `stall ${stall}: ${String(error)}; the app served ${own}; Prometheus read ${JSON.stringify(seen)}; up ${JSON.stringify(up)}`;
        if (stall === 3) throw new Error(what, { cause: error });
        console.log(what);
      }
    }
    expect(alert!.metric.vigil_rule).toBe('leftpad-stall');
    const [capture] = await waitFor(
      async () => {
        const list = await capturesOf(debugUrl, 'leftpad-stall');
        return list.length > 0 ? list : undefined;
      },
      'the alert capture to be stored',
      40_000,
    );
    expect(capture!.reason).toMatchObject({ kind: 'alert', name: 'leftpad-stall', threshold: 0.5 });

    // The alert's start, as Alertmanager saw it: the capture window must begin before it.
    const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      startsAt: string;
    }[];
    const firedAt = Date.parse(alerts.find((a) => a.labels.vigil_rule === 'leftpad-stall')!.startsAt);
    expect(Date.parse(capture!.startedAt)).toBeLessThan(firedAt);
    expect(Date.parse(capture!.startedAt)).toBeLessThanOrEqual(stallStarted);
    console.log(
      `stall ${new Date(stallStarted).toISOString()}, alert fired ${new Date(firedAt).toISOString()}, capture ${capture!.startedAt} .. ${capture!.endedAt}`,
    );

    const bytes = Buffer.from(await (await fetch(`${debugUrl}/debug/vigil/captures/${capture!.id}`)).arrayBuffer());
    const { rows, output } = goPprofTop(bytes, ['-sample_index=cpu']);
    expect(rows[0]?.name, output).toBe('blockEventLoop');
  });

  it('a repeated notification of the same alert captures once; other instances and bad payloads are refused', async () => {
    const alert = {
      status: 'firing',
      labels: {
        alertname: 'VigilLeftpadRepeat',
        vigil_rule: 'leftpad-repeat',
        job: 'leftpad',
        instance: 'elsewhere:1',
      },
      annotations: {},
      startsAt: '2026-11-23T10:00:00Z',
      fingerprint: 'abc123',
    };
    const post = (body: unknown) =>
      fetch(`${debugUrl}/debug/vigil/alerts`, { method: 'POST', body: JSON.stringify(body) });
    const payload = { version: '4', status: 'firing', alerts: [alert] };
    const first = (await (await post(payload)).json()) as { started: unknown[]; skipped: { reason: string }[] };
    expect(first.started).toHaveLength(1);
    // The first notification captures: its firing started a capture, which is stored under the rule.
    const [stored] = await waitFor(
      async () => {
        const list = await capturesOf(debugUrl, 'leftpad-repeat');
        return list.length > 0 ? list : undefined;
      },
      "the first notification's capture to be stored",
      15_000,
    );
    expect(stored!.reason).toMatchObject({ kind: 'alert', name: 'leftpad-repeat' });
    const [firing] = await firingsOf(debugUrl, 'leftpad-repeat');
    expect(firing).toMatchObject({ captureIds: [stored!.id] });
    expect(firing!.skipped).toBeUndefined();

    // The repeat, once the first capture is done (so neither a busy profiler nor a cooldown could stop it): no firing at
    // all, hence no capture. A firing is recorded before the webhook answers, so none can arrive later.
    const second = (await (await post(payload)).json()) as { started: unknown[]; skipped: { reason: string }[] };
    expect(second.started).toEqual([]);
    expect(second.skipped.map((s) => s.reason)).toEqual(['duplicate']);
    expect(await firingsOf(debugUrl, 'leftpad-repeat')).toHaveLength(1);
    expect((await capturesOf(debugUrl, 'leftpad-repeat')).map((c) => c.id)).toEqual([stored!.id]);

    const other = {
      ...alert,
      fingerprint: 'def456',
      labels: { ...alert.labels, job: 'checkout', instance: '10.9.9.9:9464' },
    };
    const skipped = (await (await post({ ...payload, alerts: [other] })).json()) as { skipped: { reason: string }[] };
    expect(skipped.skipped.map((s) => s.reason)).toEqual(['not-this-instance']);

    for (const [body, reason] of [
      ['not json', /^the body is not JSON/],
      [JSON.stringify({ version: '3', alerts: [] }), /^version must be "4"/],
      [
        JSON.stringify({ version: '4', alerts: [{ status: 'firing' }] }),
        /^alerts\[0\]\.labels must map names to strings/,
      ],
    ] as const) {
      const response = await fetch(`${debugUrl}/debug/vigil/alerts`, { method: 'POST', body });
      expect(response.status).toBe(400);
      expect((await response.text()).trim()).toMatch(reason);
    }
  });
});

describe('the same rule, in-process alone (no Prometheus)', () => {
  it('captures the stall, from before it, on an evaluation after it', async () => {
    const local = await startLeftpad({ VIGIL_TRIGGER_INTERVAL: '1s' });
    try {
      await profilerRunning(local.debugUrl);
      const stallStarted = Date.now();
      expect((await fetch(`${local.appUrl}/block?ms=1500`)).ok).toBe(true);
      const stallEnded = Date.now();
      const firing = await waitFor(
        async () => {
          const { recent } = (await (await fetch(`${local.debugUrl}/debug/vigil/triggers`)).json()) as {
            recent: { rule: string; firedAt: number; captureStartedAt?: number }[];
          };
          return recent.find((f) => f.rule === 'leftpad-stall' && f.captureStartedAt !== undefined);
        },
        'the in-process rule to fire',
        10_000,
      ).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; output: ${local.proc.output()}`);
      });
      // A correctness bound (the rule fires on one of the evaluations after the stall, not merely at some point); the
      // reaction time itself is measured by bench/trigger-reaction.ts.
      expect(firing.captureStartedAt! - stallEnded).toBeLessThan(3 * 1_000);
      const [capture] = await waitFor(
        async () => {
          const list = await capturesOf(local.debugUrl, 'leftpad-stall');
          return list.length > 0 ? list : undefined;
        },
        'the capture to be stored',
        15_000,
      );
      expect(capture!.reason).toMatchObject({ kind: 'rule', name: 'leftpad-stall' });
      expect(Date.parse(capture!.startedAt)).toBeLessThanOrEqual(stallStarted);
      const bytes = Buffer.from(
        await (await fetch(`${local.debugUrl}/debug/vigil/captures/${capture!.id}`)).arrayBuffer(),
      );
      expect(goPprofTop(bytes, ['-sample_index=cpu']).rows[0]?.name).toBe('blockEventLoop');
    } finally {
      await local.proc.stop();
    }
  });
});
