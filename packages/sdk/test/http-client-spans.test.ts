import { createServer, get, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ProfilingContextManager } from '@vigil/profiler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpClientSpans } from '../src/http-client-spans.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: 1 });
const exporter = new InMemorySpanExporter();
const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('test');
let server: Server;
let port: number;
let seen: IncomingHttpHeaders[] = [];
let unsubscribe: (() => void) | undefined;

beforeAll(async () => {
  context.setGlobalContextManager(new ProfilingContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(req.url === '/fail' ? 502 : 200).end('ok');
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  context.disable();
  propagation.disable();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  unsubscribe?.();
  exporter.reset();
  seen = [];
});

const call = (path: string) =>
  new Promise<number>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
const inSpan = <T>(fn: () => Promise<T>) => context.with(trace.setSpan(context.active(), PARENT), fn);
const traceparent = () => /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(seen[0]?.traceparent));

describe('HTTP client spans from diagnostics_channel', () => {
  it('with nothing exported, an outgoing request carries the trace on under a fresh span id', async () => {
    unsubscribe = httpClientSpans({ tracer: () => tracer, recording: false });
    expect(await inSpan(() => call('/'))).toBe(200);
    const [, traceId, spanId] = traceparent() ?? [];
    expect(traceId).toBe(TRACE_ID);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe(PARENT.spanContext().spanId);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('recording, the request is a CLIENT span whose id is the traceparent sent; a 5xx answer is an error', async () => {
    unsubscribe = httpClientSpans({ tracer: () => tracer, recording: true });
    expect(await inSpan(() => call('/fail'))).toBe(502);
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.kind).toBe(2); // CLIENT
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(traceparent()?.[2]).toBe(span.spanContext().spanId);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 502,
      'url.full': `http://127.0.0.1:${port}/fail`,
    });
    expect(span.status.code).toBe(2);
  });

  it('outside any span, and when someone else instruments http, requests are left alone', async () => {
    unsubscribe = httpClientSpans({ tracer: () => tracer, recording: true });
    expect(await call('/')).toBe(200);
    unsubscribe();
    unsubscribe = httpClientSpans({ tracer: () => tracer, recording: true, skip: () => true });
    expect(await inSpan(() => call('/'))).toBe(200);
    expect(seen.map((h) => h.traceparent)).toEqual([undefined, undefined]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
