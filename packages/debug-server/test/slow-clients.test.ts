import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDebugServer, type DebugServer } from '@vigil/debug-server';
import { CapturesCapability, ProfilerCapability, profiler } from '@vigil/profiler';
import { FileStore } from '@vigil/store';
import { startPlugins, waitFor } from '@vigil/test-helpers/metrics';
import { rawRequest } from '@vigil/test-helpers/raw-http';

// Short limits so that the test runs in seconds; the mechanism is the one the 10 s defaults use.
const HEADERS_MILLIS = 600;
const BODY_MILLIS = 800;
const dir = mkdtempSync(join(tmpdir(), 'vigil-slow-'));
let plugins: Awaited<ReturnType<typeof startPlugins>>;
let server: DebugServer;
let port: number;

beforeAll(async () => {
  plugins = await startPlugins([
    profiler({ continuous: false, store: new FileStore(dir), serviceName: 'slow-clients' }),
  ]);
  server = await startDebugServer(
    {
      host: '127.0.0.1',
      port: 0,
      headersTimeoutMillis: HEADERS_MILLIS,
      bodyTimeoutMillis: BODY_MILLIS,
      maxInFlight: 8,
    },
    {
      profiler: plugins.host.use(ProfilerCapability),
      captures: plugins.host.use(CapturesCapability),
      diag: diag.createComponentLogger({ namespace: 'test' }),
      reportError: () => {},
    },
  );
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server?.close();
  await plugins?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Cut no earlier than the limit, and well before Node's 30 s check interval would have let it through. */
function expectCutNear(millis: number, limit: number) {
  expect(millis).toBeGreaterThanOrEqual(limit - 50);
  expect(millis).toBeLessThan(limit + 1_500);
}

describe('slow clients are cut when their timeout says', () => {
  it('a connection that sends nothing, or trickles its headers, gets 408 with the reason at the headers timeout', async () => {
    const [idle, partial, trickling] = await Promise.all([
      rawRequest(port, ''),
      rawRequest(port, 'GET /debug/pprof/heap HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
      rawRequest(port, 'GET /debug/pprof/heap HTTP/1.1\r\nHost: 127.0.0.1\r\n', {
        trickle: 'x-slow: 1\r\n',
        trickleMillis: 50,
      }),
    ]);
    for (const answer of [idle, partial, trickling]) {
      expect(answer.status).toBe(408);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.body).toMatch(
        /^the request did not arrive in time \(headers within 0\.6 s, body within 0\.8 s\)\n$/,
      );
      expectCutNear(answer.millis, HEADERS_MILLIS);
    }
  });

  it('8 POSTs trickling their bodies are answered 408 at the body deadline, and free their slots', async () => {
    const head =
      'POST /debug/vigil/captures HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{';
    const trickling = Array.from({ length: 8 }, () => rawRequest(port, head, { trickle: ' ', trickleMillis: 50 }));
    // While they hold all 8 slots, others are refused (the cap works) ...
    const during = await waitFor(async () => {
      const response = await fetch(`${server.url}/debug/pprof/heap?debug=1`);
      return response.status === 503 ? response.text() : undefined;
    }, 'the 8 trickling POSTs to hold every slot');
    expect(during).toBe('too many debug requests in flight (8); retry later\n');
    const answers = await Promise.all(trickling);
    for (const answer of answers) {
      expect(answer.status).toBe(408);
      expect(answer.body).toBe('the request body did not arrive within 0.8 s\n');
      expect(answer.headers['cache-control']).toBe('no-store');
      expectCutNear(answer.millis, BODY_MILLIS);
    }
    // ... and once cut, the slots are free again.
    expect((await fetch(`${server.url}/debug/pprof/heap?debug=1`)).status).toBe(200);
  });
});
