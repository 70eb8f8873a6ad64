import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';
import { startLeftpad } from '@vigil/test-helpers/leftpad';
import { REPO_ROOT, spawnNode, type Spawned } from '@vigil/test-helpers/process';
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
let storeDir: string;
let found: { traceId: string; id: string } | undefined;

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'vigil-trace-store-'));
  ({ app, appUrl, debugUrl } = await startLeftpad({ VIGIL_SPAN_LABELS: mode, VIGIL_STORE: `file://${storeDir}` }));
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
    const posted = await fetch(`${debugUrl}/debug/vigil/captures`, {
      method: 'POST',
      body: JSON.stringify({ type: 'cpu', seconds: 3 }),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    expect(posted.headers.get('location')).toBe(`/debug/vigil/captures/${id}`);

    let served = 0;
    const load = driveLoad(appUrl, ['/pad?len=2000'], {
      durationMillis: 2_500,
      concurrency: 6,
      onResponse: () => served++,
    });
    await waitFor(() => served >= 12, 'the padding load to be under way');
    const checkout = await fetch(`${appUrl}/checkout?items=200`, {
      headers: { traceparent: `00-${traceId}-${parentSpan}-01` },
    });
    expect(checkout.status).toBe(200);
    await load;

    const listed = await waitFor(
      async () => {
        const body = (await (await fetch(`${debugUrl}/debug/vigil/captures?trace_id=${traceId}`)).json()) as {
          captures: { id: string; traceCount: number; reason: { kind: string } }[];
        };
        return body.captures.length > 0 ? body.captures : undefined;
      },
      'the capture to be listed under the trace id',
      15_000,
    );
    expect(listed.map((c) => c.id)).toEqual([id]);
    expect(listed[0]!.reason.kind).toBe('manual');
    // Only the checkout's trace: the padding requests came without a traceparent, and with no span exported their
    // traces are Vigil's own, known to nobody, so their samples carry no labels (UNLINKED_TRACE).
    expect(listed[0]!.traceCount).toBe(1);

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
    found = { traceId, id };
  });

  it('an unknown trace id finds nothing; a malformed one is a 400', async () => {
    const body = (await (await fetch(`${debugUrl}/debug/vigil/captures?trace_id=${'f'.repeat(32)}`)).json()) as {
      captures: unknown[];
    };
    expect(body.captures).toEqual([]);
    const bad = await fetch(`${debugUrl}/debug/vigil/captures?trace_id=xyz`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('trace_id must be 32 lowercase hex characters\n');
  });
});

/** The `vigil` command, run as a user would (from source here). */
async function vigil(...args: string[]): Promise<{ code: number | null; output: string }> {
  return vigilWith({}, ...args);
}

async function vigilWith(
  env: Record<string, string | undefined>,
  ...args: string[]
): Promise<{ code: number | null; output: string }> {
  const cli = spawnNode([`${REPO_ROOT}packages/cli/src/cli.ts`, ...args], {
    cwd: storeDir,
    env: { VIGIL_URL: undefined, ...env },
  });
  const code = await cli.exited();
  return { code, output: cli.output() };
}

describe('the vigil CLI, against the live process and against its store', () => {
  it('finds the captures of a trace, from --url and from --store alike', async () => {
    expect(found, 'the trace test ran first').toBeDefined();
    const live = await vigil('captures', '--trace', found!.traceId, '--url', debugUrl);
    expect(live.code, live.output).toBe(0);
    expect(live.output).toMatch(new RegExp(`^${found!.id}\\s+cpu\\s+`, 'm'));
    const stored = await vigil('captures', '--trace', found!.traceId, '--store', `file://${storeDir}`);
    expect(stored.output).toBe(live.output.replace(debugUrl, `file://${storeDir}`));
  });

  it("top shows the trace's own work, with no Go installed", async () => {
    // A PATH with no `go` on it (Node is run by its absolute path): top must not need Go.
    const noGo = { PATH: mkdtempSync(join(tmpdir(), 'vigil-no-go-')) };
    expect(spawnSync('go', ['version'], { env: noGo }).error, 'go is out of reach').toMatchObject({ code: 'ENOENT' });
    const top = await vigilWith(
      noGo,
      'top',
      found!.id,
      '--trace',
      found!.traceId,
      '--url',
      debugUrl,
      '--sample-index',
      'cpu',
    );
    expect(top.code, top.output).toBe(0);
    expect(top.output).toMatch(/^Type: cpu$/m);
    const first = top.output.split('\n')[3] ?? '';
    expect(first).toMatch(/ (priceItems|applyDiscounts) /);
    expect(top.output).not.toMatch(/leftPad/);
  });

  it('get saves the filtered profile, which go tool pprof reads', async () => {
    const file = join(storeDir, 'trace.pb');
    const got = await vigil('get', found!.id, '--trace', found!.traceId, '--store', `file://${storeDir}`, '-o', file);
    expect(got.code, got.output).toBe(0);
    expect(got.output).toMatch(/^wrote .*trace\.pb \(\d+ bytes\), samples of trace [0-9a-f]{32} only$/m);
    const { readFileSync } = await import('node:fs');
    expect(goPprofTop(readFileSync(file), ['-sample_index=cpu']).rows.map((r) => r.name)).toContain('priceItems');
  });

  it('profile takes a CPU profile with a progress line', async () => {
    const taken = await vigil('profile', '--seconds', '1', '--url', debugUrl, '-o', join(storeDir, 'cpu.pb.gz'));
    expect(taken.code, taken.output).toBe(0);
    expect(taken.output).toMatch(/^profiling http:\/\/127\.0\.0\.1:\d+ \(1 s\)\.\.\.$/m);
    expect(taken.output).toMatch(/^captured \d{8}T\d{9}Z-[0-9a-f]{6}$/m);
  });

  it.each([
    [['captures', '--trace', 'nope'], 2, /--trace must be a trace id/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['get'], 2, /get needs a capture id/],
    [['top', 'missing-file.pb'], 1, /missing-file\.pb: no such file/],
    // A capture id with no source reads from the default --url, as `captures` and `get` do.
    [['top', '20261201T000000000Z-abcdef'], 1, /http:\/\/127\.0\.0\.1:6060/],
    [['captures', '--url', 'http://127.0.0.1:1'], 1, /cannot reach http:\/\/127\.0\.0\.1:1/],
    [['captures', '--bogus'], 2, /Unknown option '--bogus'/],
  ])('vigil %j fails clearly (exit %d)', async (args, code, message) => {
    const result = await vigil(...args);
    expect(result.code).toBe(code);
    expect(result.output).toMatch(message);
  });
});

it.runIf(!hasFrame)('without the async-context frame, the default is no labels, with one line saying why', async () => {
  const other = spawnNode(['--import', '@vigil/sdk/register', 'src/server.ts'], {
    cwd: `${REPO_ROOT}examples/leftpad`,
    env: { PORT: '0', VIGIL_METRICS_PORT: '0', VIGIL_METRICS_HOST: '127.0.0.1' },
  });
  try {
    await other.waitForOutput(/leftpad listening/);
    await other.waitForOutput(/CPU samples carry no span labels: this runtime has no async-context frame/);
    expect(other.output().match(/carry no span labels/g)).toHaveLength(1);
  } finally {
    await other.stop();
  }
});
