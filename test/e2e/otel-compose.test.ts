import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';

/**
 * Vigil inside an app that runs its own OpenTelemetry NodeSDK (HTTP + Express instrumentation, an in-memory
 * exporter): in either start order, documented (`vigilComponents()`) or not (two `--import` preloads), the app keeps
 * its spans, Vigil's capture found by the trace id holds exactly that request's work, the app's own metric is on
 * /metrics, and nothing prints an error.
 */
const FIXTURE = `${REPO_ROOT}test/fixtures/otel-app`;
const hasFrame = Number(process.versions.node.split('.')[0]) >= 24;

const compositions: { name: string; args: string[]; env?: Record<string, string> }[] = [
  {
    name: 'app SDK preloaded first, then --import @vigil/sdk/register',
    args: ['--import', './app-sdk.mjs', '--import', '@vigil/sdk/register', 'app.cjs'],
  },
  {
    name: '--import @vigil/sdk/register first, then the app SDK preload',
    args: ['--import', '@vigil/sdk/register', '--import', './app-sdk.mjs', 'app.cjs'],
  },
  {
    name: 'vigilComponents(), the app SDK started before start()',
    args: ['documented.mjs'],
    env: { VIGIL_ORDER: 'sdk-first' },
  },
  {
    name: 'vigilComponents(), start() before the app SDK',
    args: ['documented.mjs'],
    env: { VIGIL_ORDER: 'vigil-first' },
  },
];

let app: Spawned | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

interface AppSpan {
  name: string;
  kind: number;
  spanId: string;
  attributes: Record<string, unknown>;
  scope: string;
}

describe.each(compositions)("with the app's own NodeSDK: $name", ({ args, env }) => {
  it("the app keeps its spans, Vigil's capture by trace id holds only that request, app metrics are served, no errors", async () => {
    const [appPort, debugPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    app = spawnNode(args, {
      cwd: FIXTURE,
      env: {
        PORT: String(appPort),
        VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
        VIGIL_METRICS_HOST: '127.0.0.1',
        VIGIL_METRICS_PORT: String(metricsPort),
        VIGIL_SPAN_LABELS: hasFrame ? 'auto' : 'async-hooks',
        VIGIL_STORE: `file://${mkdtempSync(join(tmpdir(), 'vigil-otel-store-'))}`,
        // The app exports its spans in memory; its NodeSDK would otherwise push metrics and logs to localhost:4318.
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        ...env,
      },
    });
    const appUrl = `http://127.0.0.1:${appPort}`;
    const debugUrl = `http://127.0.0.1:${debugPort}`;
    await app.waitForOutput(/shop listening/);
    await waitFor(async () => (await fetch(`${debugUrl}/debug/pprof/`)).ok, 'the debug server');

    const traceId = randomBytes(16).toString('hex');
    const parentSpan = randomBytes(8).toString('hex');
    const posted = await fetch(`${debugUrl}/debug/vigil/captures`, {
      method: 'POST',
      body: JSON.stringify({ type: 'cpu', seconds: 3 }),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    const load = driveLoad(appUrl, ['/browse'], { durationMillis: 2_000, concurrency: 4 });
    const checkout = await fetch(`${appUrl}/checkout?millis=400`, {
      headers: { traceparent: `00-${traceId}-${parentSpan}-01` },
    });
    expect(checkout.status).toBe(200);
    await load;

    // (a) The app's own exporter holds its HTTP server span and Express spans for the trace — one server span: Vigil
    // added no second HTTP instrumentation — and the local root carries its profile id.
    const spans = await waitFor(async () => {
      const got = (await (await fetch(`${appUrl}/spans?trace_id=${traceId}`)).json()) as AppSpan[];
      return got.some((s) => s.kind === 1) ? got : undefined;
    }, "the app's spans of the trace");
    const servers = spans.filter((s) => s.kind === 1);
    expect(servers, JSON.stringify(spans)).toHaveLength(1);
    expect(servers[0]!.scope).toBe('@opentelemetry/instrumentation-http');
    expect(servers[0]!.attributes['pyroscope.profile.id']).toBe(servers[0]!.spanId);
    expect(spans.map((s) => s.scope)).toContain('@opentelemetry/instrumentation-express');

    // (b) Vigil's capture is found by that trace id; filtered to it, it holds the checkout's work and not the browsing.
    const listed = await waitFor(
      async () => {
        const body = (await (await fetch(`${debugUrl}/debug/vigil/captures?trace_id=${traceId}`)).json()) as {
          captures: { id: string }[];
        };
        return body.captures.length > 0 ? body.captures : undefined;
      },
      'the capture listed under the trace id',
      15_000,
    );
    expect(listed.map((c) => c.id)).toEqual([id]);
    const whole = goPprofTop(Buffer.from(await (await fetch(`${debugUrl}/debug/vigil/captures/${id}`)).arrayBuffer()), [
      '-sample_index=cpu',
    ]);
    expect(
      whole.rows.map((r) => r.name),
      whole.output,
    ).toContain('browseCatalogue');
    const filtered = goPprofTop(
      Buffer.from(await (await fetch(`${debugUrl}/debug/vigil/captures/${id}?trace_id=${traceId}`)).arrayBuffer()),
      ['-sample_index=cpu'],
    );
    const names = filtered.rows.map((r) => r.name);
    expect(names, filtered.output).toContain('burnCheckout');
    expect(names, filtered.output).not.toContain('browseCatalogue');

    // The app's own counter, made through @opentelemetry/api, is on Vigil's /metrics.
    const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(exposition).toMatch(/^shop_orders_total\{shop_channel="web"\} 1$/m);
    expect(exposition).toMatch(/^nodejs_eventloop_delay_max /m);

    // (c) No OpenTelemetry (or Vigil) error or warning line: no duplicate registration, no overwritten logger.
    await app.stop();
    expect(app.output()).not.toMatch(/duplicate registration|overwrit|error|warn/i);
  });
});
