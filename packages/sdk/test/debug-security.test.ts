import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { heap } from '@datadog/pprof';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError, start, type VigilHandle, type VigilOptions } from '@vigil/sdk';
import { resolveSdkConfig } from '../src/config.ts';

let handle: VigilHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const base: VigilOptions = { metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0', profiling: false };
const TOKEN = 'a-long-enough-debug-token-0123456789';

/** This machine's first non-loopback IPv4 address: a listener bound to loopback only must not answer on it. */
function externalAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  if (address === undefined)
    throw new Error('these tests need a non-loopback network interface to try the listener from');
  return address;
}

/** Whether a TCP connection to host:port is accepted (false when refused). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const portOf = (url: string | undefined) => Number(new URL(url!).port);

async function rejection(options: VigilOptions): Promise<VigilError> {
  const error = await start(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}

describe('debug endpoints: secure by default', () => {
  it('listen on loopback by default', async () => {
    // The default, as start() resolves it with no option and no VIGIL_DEBUG_ADDR...
    const { host, port } = resolveSdkConfig({}, {}).debugAddr!;
    expect(`${host}:${port}`).toBe('127.0.0.1:6060');
    // ...and a server on that host is bound to loopback only: what the socket took, not what the configuration says.
    // (Port 0, not 6060: the demo and parallel runs may hold 6060.)
    handle = await start({ ...base, debugAddr: `${host}:0` });
    const bound = portOf(handle.debugUrl);
    expect((await fetch(`http://127.0.0.1:${bound}/debug/pprof/handles?debug=1`)).status).toBe(200);
    expect(await accepts(externalAddress(), bound)).toBe(false);
  });

  it('refuse a non-loopback address with neither token nor TLS, naming the fix', async () => {
    const error = await rejection({ ...base, debugAddr: '0.0.0.0:0' });
    expect(error.code).toBe(ErrorCodes.DEBUG_INSECURE);
    expect(error.message).toMatch(
      /^VIGIL_DEBUG_ADDR: "0\.0\.0\.0:0" exposes the debug endpoints beyond loopback with neither a token nor TLS; set VIGIL_DEBUG_TOKEN/,
    );
  });

  it('accept a non-loopback address with a token, or with the explicit insecure switch', async () => {
    handle = await start({ ...base, debugAddr: '0.0.0.0:0', debugToken: TOKEN });
    // Reached from beyond loopback, and still guarded by the token.
    const exposed = `http://${externalAddress()}:${portOf(handle.debugUrl)}/debug/pprof/handles?debug=1`;
    expect((await fetch(exposed)).status).toBe(401);
    expect((await fetch(exposed, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    await handle.shutdown();
    handle = await start({ ...base, debugAddr: '0.0.0.0:0', debugInsecure: true });
    expect(
      (await fetch(`http://${externalAddress()}:${portOf(handle.debugUrl)}/debug/pprof/handles?debug=1`)).status,
    ).toBe(200);
  });

  it.each<[string, VigilOptions, string, RegExp]>([
    [
      'a short token',
      { debugToken: 'secret' },
      ErrorCodes.CONFIG_INVALID_VALUE,
      /^options\.debugToken: "6 characters" is not valid; expected a secret of at least 16 characters/,
    ],
    [
      'a bad address',
      { debugAddr: 'localhost' },
      ErrorCodes.CONFIG_INVALID_VALUE,
      /^options\.debugAddr: "localhost" is not valid; expected HOST:PORT/,
    ],
    [
      'a cert without a key',
      { debugTlsCert: '/nonexistent.pem' },
      ErrorCodes.DEBUG_TLS,
      /^VIGIL_DEBUG_TLS_KEY: TLS needs both a certificate and a key/,
    ],
    [
      'an unreadable cert',
      { debugTlsCert: '/nonexistent.pem', debugTlsKey: '/nonexistent.key' },
      ErrorCodes.DEBUG_TLS,
      /^VIGIL_DEBUG_TLS_CERT: cannot read "\/nonexistent\.pem"/,
    ],
  ])('reject %s at start', async (_name, options, code, message) => {
    const error = await rejection({ ...base, ...options });
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('require the bearer token on every request (401 without it, or with a wrong one)', async () => {
    handle = await start({ ...base, debugToken: TOKEN });
    const url = `${handle.debugUrl}/debug/pprof/heap?debug=1`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="vigil"');
    expect(await none.text()).toBe('missing or wrong bearer token\n');
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    expect((await fetch(`${handle.debugUrl}/debug/pprof/`)).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it('a failure inside the profiler is a 500 with the reason, counted, and the app keeps running', async () => {
    handle = await start(base);
    // With profiling off the heap profiler starts at the first heap capture: take one, then break it.
    expect((await fetch(`${handle.debugUrl}/debug/pprof/heap`)).status).toBe(200);
    heap.stop(); // a real fault: someone stopped the process-wide heap profiler under Vigil's feet
    try {
      const response = await fetch(`${handle.debugUrl}/debug/pprof/heap`);
      expect(response.status).toBe(500);
      expect(await response.text()).toMatch(/^internal error: .+\n$/);
      const metrics = await (await fetch(handle.metricsUrl!)).text();
      expect(metrics).toMatch(/^vigil_errors_total\{component="debug-server"\} 1$/m);
      expect((await fetch(`${handle.debugUrl}/debug/pprof/handles?debug=1`)).status).toBe(200);
    } finally {
      heap.start(512 * 1024, 64);
    }
  });
});

describe('debug endpoints over TLS', () => {
  let dir: string;
  const pem = (name: string) => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=vigil-test-ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      `subjectAltName=IP:127.0.0.1,DNS:localhost,IP:${externalAddress()}`,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-copy_extensions',
      'copy',
      '-out',
      'server.pem',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=engineer',
      '-keyout',
      'client.key',
      '-out',
      'client.csr',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'client.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      'client.pem',
    );
  });

  function tlsGet(url: string, client?: { cert: Buffer; key: Buffer }): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca: readFileSync(pem('ca.pem')), ...client }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves HTTPS from cert and key files', async () => {
    handle = await start({ ...base, debugTlsCert: pem('server.pem'), debugTlsKey: pem('server.key') });
    expect(handle.debugUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await tlsGet(`${handle.debugUrl}/debug/pprof/handles?debug=1`)).toBe(200);
    await expect(fetch(`${handle.debugUrl!.replace('https', 'http')}/debug/pprof/`)).rejects.toThrow();
  });

  it('with a client CA, requires a client certificate signed by it (mutual TLS)', async () => {
    handle = await start({
      ...base,
      debugTlsCert: pem('server.pem'),
      debugTlsKey: pem('server.key'),
      debugTlsCa: pem('ca.pem'),
    });
    await expect(tlsGet(`${handle.debugUrl}/debug/pprof/`)).rejects.toThrow();
    const client = { cert: readFileSync(pem('client.pem')), key: readFileSync(pem('client.key')) };
    expect(await tlsGet(`${handle.debugUrl}/debug/pprof/`, client)).toBe(200);
  });

  it('TLS alone allows a non-loopback address', async () => {
    handle = await start({
      ...base,
      debugAddr: '0.0.0.0:0',
      debugTlsCert: pem('server.pem'),
      debugTlsKey: pem('server.key'),
    });
    expect(handle.debugUrl).toMatch(/^https:/);
    // Served over TLS to a client beyond loopback (the certificate names this machine's address too).
    expect(await tlsGet(`https://${externalAddress()}:${portOf(handle.debugUrl)}/debug/pprof/handles?debug=1`)).toBe(
      200,
    );
  });
});
