import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenMetrics, type MetricsServer } from '../src/metrics-server.ts';
import { rawRequest } from '@vigil/test-helpers/raw-http';

const HEADERS_MILLIS = 500;
const exporter = new PrometheusExporter({ preventServerStart: true });
const provider = new MeterProvider({ readers: [exporter] });
let server: MetricsServer;
let url: string;
let port: number;

beforeAll(async () => {
  provider.getMeter('test').createCounter('test.requests').add(3);
  server = await listenMetrics(exporter, '127.0.0.1', 0, 'VIGIL_METRICS_PORT', {
    limits: { headersTimeoutMillis: HEADERS_MILLIS, bodyTimeoutMillis: 500 },
  });
  url = server.url;
  port = server.port;
});
afterAll(async () => {
  await server.close();
  await provider.shutdown();
});

describe('the /metrics server', () => {
  it('serves the metrics, never cached', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toMatch(/^test_requests_total\{[^}]*\} 3$/m);
  });

  it('cuts a slow-header connection at its headers timeout with 408 and the reason', async () => {
    const [idle, trickling] = await Promise.all([
      rawRequest(port, ''),
      rawRequest(port, 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n', { trickle: 'x-slow: 1\r\n', trickleMillis: 50 }),
    ]);
    for (const answer of [idle, trickling]) {
      expect(answer.status).toBe(408);
      expect(answer.body).toMatch(/^the request did not arrive in time \(headers within 0\.5 s/);
      expect(answer.millis).toBeGreaterThanOrEqual(HEADERS_MILLIS - 50);
      expect(answer.millis).toBeLessThan(HEADERS_MILLIS + 1_500);
    }
  });

  it.each<[string, string, number, RegExp]>([
    [
      'another path',
      'GET /debug/pprof/ HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\n\r\n',
      404,
      /^not found: metrics are at \/metrics\n$/,
    ],
    [
      'another method',
      'DELETE /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nconnection: close\r\n\r\n',
      405,
      /^DELETE is not allowed; use GET\n$/,
    ],
    ['a malformed request line', 'GET /metrics HTTP/9.9 extra\r\n\r\n', 400, /^malformed HTTP request: .+\n$/],
    ['an unknown method', 'BREW /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400, /^malformed HTTP request: .+\n$/],
    [
      'oversized headers',
      `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      /^the request line and headers are over 16 KiB\n$/,
    ],
    [
      'CONNECT',
      'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n',
      405,
      /^CONNECT is not allowed: this server is not a proxy\n$/,
    ],
  ])('answers %s with a one-line reason, never cached', async (_name, request, status, reason) => {
    const answer = await rawRequest(port, request);
    expect(answer.status).toBe(status);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toMatch(reason);
  });
});
