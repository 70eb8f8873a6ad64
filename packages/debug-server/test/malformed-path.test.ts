import { diag } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDebugServer, type DebugServer } from '@vigil/debug-server';

let server: DebugServer;
const errors: unknown[] = [];

beforeAll(async () => {
  server = await startDebugServer(
    { host: '127.0.0.1', port: 0 },
    {
      profiler: undefined,
      captures: undefined,
      diag: diag.createComponentLogger({ namespace: 'test' }),
      reportError: (error) => errors.push(error),
    },
  );
});
afterAll(() => server.close());

describe('a capture path with a malformed escape', () => {
  // decodeURIComponent throws URIError on each of these; it used to escape the request handler and kill the app.
  it.each(['%zz', '%', '%E0%A4%A', '%C0%AE%C0%AE%2F', 'ok%', '%%41'])(
    'GET and HEAD /debug/vigil/captures/%s (and its /flame and /metadata) answer 400 with the reason',
    async (segment) => {
      for (const suffix of ['', '/flame', '/metadata']) {
        for (const method of ['GET', 'HEAD']) {
          const response = await fetch(`${server.url}/debug/vigil/captures/${segment}${suffix}`, { method });
          expect(response.status, `${method} ${segment}${suffix}`).toBe(400);
          expect(response.headers.get('cache-control')).toBe('no-store');
          if (method === 'GET')
            expect(await response.text()).toBe(
              `malformed percent-encoding in the path: /debug/vigil/captures/${segment}${suffix}\n`,
            );
        }
      }
      expect(errors).toEqual([]); // a client's mistake, not Vigil's failure: not counted
    },
  );

  it('leaves the server serving', async () => {
    const response = await fetch(`${server.url}/debug/vigil/captures/20260101T000000000Z-abcdef`);
    expect(response.status).toBe(503); // no store in this server: the route is reached and answers
    expect(await response.text()).toMatch(/^captures are not available/);
  });
});
