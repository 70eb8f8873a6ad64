import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';

/**
 * examples/leftpad, instrumented with `--import @vigil/sdk/register`, profiled through its /debug/pprof endpoints, and
 * every profile read by the real `go tool pprof`.
 */
let app: Spawned;
let appUrl: string;
let debugUrl: string;
let metricsUrl: string;

beforeAll(async () => {
  const [appPort, debugPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  app = spawnNode(['--import', '@vigil/sdk/register', 'src/server.ts'], {
    cwd: `${REPO_ROOT}examples/leftpad`,
    env: {
      PORT: String(appPort),
      VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(metricsPort),
    },
  });
  appUrl = `http://127.0.0.1:${appPort}`;
  debugUrl = `http://127.0.0.1:${debugPort}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  await app.waitForOutput(/leftpad listening/);
  await waitFor(async () => (await fetch(`${debugUrl}/debug/pprof/`)).ok, 'the debug server');
});

afterAll(async () => {
  await app?.stop();
});

async function get(path: string, init?: RequestInit) {
  const response = await fetch(`${debugUrl}${path}`, init);
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe('/debug/pprof on examples/leftpad', () => {
  it('the CPU profile under load has the padding function at the top', async () => {
    let served = 0;
    const load = driveLoad(appUrl, ['/pad?len=2000'], {
      durationMillis: 4_000,
      concurrency: 8,
      onResponse: () => served++,
    });
    await waitFor(() => served >= 16, 'the padding load to be under way');
    const profile = await get('/debug/pprof/profile?seconds=2');
    await load;
    expect(profile.status).toBe(200);
    expect(profile.headers.get('content-disposition')).toBe('attachment; filename="profile"');
    expect(profile.headers.get('x-content-type-options')).toBe('nosniff');
    const { rows, output } = goPprofTop(profile.body, ['-sample_index=cpu']);
    expect(output).toMatch(/Type: cpu/);
    expect(rows[0]?.name, output).toBe('leftPad');
  });

  it('the heap profile shows the allocation site of a retained buffer', async () => {
    for (let i = 0; i < 4; i++) expect((await fetch(`${appUrl}/remember?kib=8192`)).ok).toBe(true);
    const heap = await get('/debug/pprof/heap');
    expect(heap.status).toBe(200);
    const { rows, output } = goPprofTop(heap.body, ['-sample_index=inuse_space']);
    expect(
      rows.slice(0, 3).map((r) => r.name),
      output,
    ).toContain('retainBuffer');
    const text = (await get('/debug/pprof/heap?debug=1')).body.toString();
    expect(text).toMatch(/retainBuffer .*hot-spots\.ts/);
  });

  it('the handles profile counts the sockets of open connections', async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const socket = connect(Number(new URL(appUrl).port), '127.0.0.1');
        await once(socket, 'connect');
        sockets.push(socket);
      }
      // The app accepts each connection a moment after the client sees it connected: wait until all are accepted.
      const { rows, output } = await waitFor(async () => {
        const handles = await get('/debug/pprof/handles');
        expect(handles.status).toBe(200);
        const top = goPprofTop(handles.body);
        return Number(top.rows.find((r) => r.name === 'TCPSocketWrap')?.flat) >= 40 ? top : undefined;
      }, '40 accepted sockets in the handles profile');
      expect(Number(rows.find((r) => r.name === 'TCPSocketWrap')?.flat), output).toBeGreaterThanOrEqual(40);
      const text = (await get('/debug/pprof/handles?debug=1')).body.toString();
      expect(text).toMatch(/handles profile: total \d+/);
      expect(text).toMatch(/TCPSocketWrap/);
    } finally {
      sockets.forEach((s) => s.destroy());
    }
  });

  it('the index lists each endpoint with a ready go tool pprof command', async () => {
    const index = await get('/debug/pprof/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    const html = index.body.toString();
    for (const route of ['profile?seconds=30', 'heap', 'handles', 'heapsnapshot'])
      expect(html).toContain(`/debug/pprof/${route}`);
    expect(html).toContain(`go tool pprof ${debugUrl}/debug/pprof/profile?seconds=30`);
  });

  it('heap snapshots are refused with the reason unless enabled', async () => {
    const snapshot = await get('/debug/pprof/heapsnapshot');
    expect(snapshot.status).toBe(403);
    expect(snapshot.body.toString()).toMatch(/^heap snapshots are disabled.*VIGIL_HEAP_SNAPSHOTS=on\n$/);
  });

  it.each<[string, string, RequestInit | undefined, number, RegExp]>([
    [
      'seconds not a number',
      '/debug/pprof/profile?seconds=abc',
      undefined,
      400,
      /^seconds=abc is not a number of seconds$/,
    ],
    ['seconds zero', '/debug/pprof/profile?seconds=0', undefined, 400, /^seconds must be more than 0$/],
    ['seconds negative', '/debug/pprof/profile?seconds=-5', undefined, 400, /is not a number of seconds/],
    [
      'seconds over the maximum',
      '/debug/pprof/profile?seconds=301',
      undefined,
      400,
      /^seconds=301 is over the maximum of 300$/,
    ],
    ['seconds in exponent form', '/debug/pprof/profile?seconds=1e3', undefined, 400, /is not a number/],
    ['seconds Infinity', '/debug/pprof/profile?seconds=Infinity', undefined, 400, /is not a number/],
    ['seconds empty', '/debug/pprof/profile?seconds=', undefined, 400, /is not a number/],
    [
      'seconds twice',
      '/debug/pprof/profile?seconds=1&seconds=2',
      undefined,
      400,
      /^seconds is given 2 times; give it once$/,
    ],
    [
      'lookback not a number',
      '/debug/pprof/profile?seconds=1&lookback=x',
      undefined,
      400,
      /^lookback=x is not a number/,
    ],
    [
      'debug=2 on heap',
      '/debug/pprof/heap?debug=2',
      undefined,
      400,
      /^debug=2 is not supported; use debug=0 or debug=1$/,
    ],
    ['debug=yes on handles', '/debug/pprof/handles?debug=yes', undefined, 400, /not supported/],
    ['parameters on heapsnapshot', '/debug/pprof/heapsnapshot?x=1', undefined, 400, /takes no parameters/],
    [
      'unknown endpoint',
      '/debug/pprof/goroutine',
      undefined,
      404,
      /^no such endpoint: \/debug\/pprof\/goroutine; see \/debug\/pprof\/$/,
    ],
    ['path traversal', '/debug/pprof/..%2f..%2fetc/passwd', undefined, 404, /^no such endpoint/],
    ['outside /debug', '/metrics', undefined, 404, /^no such endpoint/],
    ['POST', '/debug/pprof/profile?seconds=1', { method: 'POST' }, 405, /^POST is not allowed; use GET$/],
    ['DELETE', '/debug/pprof/heap', { method: 'DELETE' }, 405, /not allowed/],
  ])('%s is answered 4xx with a one-line reason', async (_name, path, init, status, reason) => {
    const response = await get(path, init);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const body = response.body.toString();
    expect(body.endsWith('\n') && body.indexOf('\n') === body.length - 1, body).toBe(true);
    expect(body.trim()).toMatch(reason);
  });

  it.each<[string, Record<string, string>, number]>([
    ['a rebinding Host header', { host: 'evil.example' }, 403],
    ['a rebinding Host header with the port', { host: 'evil.example:6060' }, 403],
    ['an empty Host header', { host: '' }, 403],
  ])('%s is refused', async (_name, headers, status) => {
    const code = await rawGet('/debug/pprof/heap', headers);
    expect(code).toBe(status);
  });

  it('a second concurrent CPU capture gets 409 naming the one in progress', async () => {
    const first = get('/debug/pprof/profile?seconds=2');
    // Probe with 1 s captures until one is refused: normally the first probe, refused while the first capture runs.
    // Should a probe reach the server before the first request does, the first request is the one refused.
    const { winner, refused } = await waitFor(async () => {
      const probe = await get('/debug/pprof/profile?seconds=1');
      if (probe.status === 409) return { winner: await first, refused: probe };
      const firstResult = await first;
      return probe.status === 200 && firstResult.status === 409 ? { winner: probe, refused: firstResult } : undefined;
    }, 'one of two concurrent captures to be refused');
    expect(winner.status).toBe(200);
    const id = winner.headers.get('x-vigil-capture-id');
    expect(id).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{6}$/);
    expect(refused.status).toBe(409);
    expect(refused.body.toString()).toBe(`a CPU capture is already in progress: ${id}\n`);
    expect(refused.headers.get('x-vigil-capture-id')).toBe(id);
  });

  it('a client that disconnects cancels its capture and the next capture works', async () => {
    const abort = new AbortController();
    const pending = fetch(`${debugUrl}/debug/pprof/profile?seconds=20`, { signal: abort.signal }).catch(
      () => undefined,
    );
    await waitFor(
      async () => (await get('/debug/pprof/profile?seconds=1')).status === 409 || undefined,
      'the long capture to start',
    );
    abort.abort();
    await pending;
    // Canceled, not merely abandoned: a new capture is accepted right away rather than 20 s later.
    const next = await waitFor(
      async () => {
        const r = await get('/debug/pprof/profile?seconds=1');
        return r.status === 200 ? r : undefined;
      },
      'a new capture to be accepted',
      5_000,
    );
    expect(goPprofTop(next.body).rows.length).toBeGreaterThan(0);
  });

  it('after all of that the app still serves, and Vigil counted no errors', async () => {
    expect((await fetch(`${appUrl}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(metricsUrl)).text();
    expect(metrics).not.toMatch(/^vigil_errors_total\{[^}]*\} [1-9]/m);
    expect(app.child.exitCode).toBeNull();
  });
});

/** A GET with exact headers (fetch will not send a foreign Host header). */
function rawGet(path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(debugUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers, setHost: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
