import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { waitFor } from '../helpers/metrics.ts';
import { goPprofTop } from '../helpers/pprof.ts';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '../helpers/process.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * "What was this process doing for that request?" A request with a known traceparent runs checkout work (unique to
 * it, across an await) while other requests pad strings; the capture, looked up by the trace id and filtered to it,
 * must show the checkout functions and none of the padding. On Node 24 through the async-context frame; on a runtime
 * without it (Node 22), through the async-hooks mode.
 */
const hasFrame = Number(process.versions.node.split('.')[0]) >= 24;
const mode = hasFrame ? 'auto' : 'async-hooks';

let app: Spawned;
let appUrl: string;
let debugUrl: string;

beforeAll(async () => {
  const [appPort, debugPort] = [await freePort(), await freePort()];
  app = spawnNode(['--import', '@vigil/sdk/register', 'src/server.ts'], {
    cwd: `${REPO_ROOT}examples/leftpad`,
    env: {
      PORT: String(appPort),
      VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
      VIGIL_METRICS_PORT: '0',
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_SPAN_LABELS: mode,
      VIGIL_STORE: process.env.DBG_STORE ?? `file://${mkdtempSync(join(tmpdir(), 'vigil-trace-store-'))}`,
    },
  });
  appUrl = `http://127.0.0.1:${appPort}`;
  debugUrl = `http://127.0.0.1:${debugPort}`;
  await app.waitForOutput(/leftpad listening/);
  await waitFor(async () => (await fetch(`${debugUrl}/debug/pprof/`)).ok, 'the debug server');
});

afterAll(async () => {
  await app?.stop();
});

describe(`trace-linked profiles (${mode})`, () => {
  it('the index says how samples are labelled', async () => {
    const html = await (await fetch(`${debugUrl}/debug/pprof/`)).text();
    expect(html).toContain(`Span labels on CPU samples: ${hasFrame ? 'cped' : 'async-hooks'}.`);
  });

  it("a trace id finds its capture, and the filtered profile holds exactly that request's work", async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentSpan = randomBytes(8).toString('hex');
    const posted = await fetch(`${debugUrl}/debug/vigil/captures`, { method: 'POST', body: JSON.stringify({ type: 'cpu', seconds: 3 }) });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    expect(posted.headers.get('location')).toBe(`/debug/vigil/captures/${id}`);

    const load = driveLoad(appUrl, ['/pad?len=2000'], { durationMillis: 2_500, concurrency: 6 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const checkout = await fetch(`${appUrl}/checkout?items=200`, { headers: { traceparent: `00-${traceId}-${parentSpan}-01` } });
    expect(checkout.status).toBe(200);
    await load;

    const listed = await waitFor(async () => {
      const body = (await (await fetch(`${debugUrl}/debug/vigil/captures?trace_id=${traceId}`)).json()) as { captures: { id: string; traceCount: number; reason: { kind: string } }[] };
      return body.captures.length > 0 ? body.captures : undefined;
    }, 'the capture to be listed under the trace id', 15_000);
    expect(listed.map((c) => c.id)).toEqual([id]);
    expect(listed[0]!.reason.kind).toBe('manual');
    expect(listed[0]!.traceCount).toBeGreaterThanOrEqual(1);

    const whole = Buffer.from(await (await fetch(`${debugUrl}/debug/vigil/captures/${id}`)).arrayBuffer());
    expect(goPprofTop(whole, ['-sample_index=cpu']).rows.map((r) => r.name)).toContain('leftPad');

    const filtered = await fetch(`${debugUrl}/debug/vigil/captures/${id}?trace_id=${traceId}`);
    expect(filtered.status).toBe(200);
    const { rows, output } = goPprofTop(Buffer.from(await filtered.arrayBuffer()), ['-sample_index=cpu']);
    expect(['priceItems', 'applyDiscounts'], output).toContain(rows[0]?.name);
    const names = rows.map((r) => r.name);
    expect(names, output).toContain('priceItems'); // before the await
    expect(names, output).toContain('applyDiscounts'); // after the await: the span followed the request across it
    expect(names, output).not.toContain('leftPad');
    expect(names, output).not.toContain('renderCatalogue');
  });

  it('an unknown trace id finds nothing; a malformed one is a 400', async () => {
    const body = (await (await fetch(`${debugUrl}/debug/vigil/captures?trace_id=${'f'.repeat(32)}`)).json()) as { captures: unknown[] };
    expect(body.captures).toEqual([]);
    const bad = await fetch(`${debugUrl}/debug/vigil/captures?trace_id=xyz`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('trace_id must be 32 lowercase hex characters\n');
  });
});
