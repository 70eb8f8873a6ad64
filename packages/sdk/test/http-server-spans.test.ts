import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import { context, propagation, trace, type Span } from '@opentelemetry/api';
import { ProfilingContextManager, UNLINKED_TRACE } from '@vigil/profiler';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpServerSpans } from '../src/http-server-spans.ts';
import { waitFor } from '@vigil/test-helpers/metrics';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new ProfilingContextManager().enable();
let unsubscribe: (() => void) | undefined;
let server: Server | undefined;

beforeAll(() => {
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});
afterEach(async () => {
  unsubscribe?.();
  unsubscribe = undefined;
  exporter.reset();
  if (server?.listening) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
  }
});

/** A server whose handler records the span active in it, synchronously and after an await. */
async function serve(
  handler: (path: string, seen: (Span | undefined)[]) => Promise<number> | number,
  ignore = false,
  recording = true,
) {
  const seen: (Span | undefined)[] = [];
  const unlinked: unknown[] = [];
  server = createServer((req, res) => {
    seen.push(trace.getActiveSpan());
    unlinked.push(context.active().getValue(UNLINKED_TRACE));
    void Promise.resolve(handler(req.url ?? '/', seen)).then((status) => {
      seen.push(trace.getActiveSpan());
      if (status > 0) res.writeHead(status).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const tracer = provider.getTracer('test');
  unsubscribe = httpServerSpans({ tracer: () => tracer, ignorePorts: new Set(ignore ? [port] : []), recording });
  return { port, seen, unlinked };
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe('HTTP server spans from diagnostics_channel', () => {
  it('a request gets a SERVER span under its traceparent, active in the handler and after an await', async () => {
    const { port, seen } = await serve(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 201;
    });
    expect(await get(port, '/orders/7?x=1', { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` })).toBe(201);
    const [span] = await waitFor(
      () => (exporter.getFinishedSpans().length === 1 ? exporter.getFinishedSpans() : undefined),
      'one finished span',
    );
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span!.kind).toBe(1); // SERVER
    expect(span!.name).toBe('GET');
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/orders/7',
      'url.scheme': 'http',
      'http.response.status_code': 201,
    });
    expect(seen.map((s) => s?.spanContext().spanId)).toEqual([span!.spanContext().spanId, span!.spanContext().spanId]);
  });

  it('requests on one keep-alive connection each get their own span, and no context leaks between them', async () => {
    const { port, seen } = await serve(() => 200);
    for (let i = 0; i < 3; i++) expect(await get(port, `/r${i}`)).toBe(200);
    await waitFor(() => exporter.getFinishedSpans().length === 3 || undefined, 'three spans');
    const ids = exporter.getFinishedSpans().map((s) => s.spanContext().spanId);
    expect(new Set(ids).size).toBe(3);
    expect(new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId)).size).toBe(3); // no parent: new traces
    expect(seen.filter((_, i) => i % 2 === 0).map((s) => s?.spanContext().spanId)).toEqual(ids);
    expect(trace.getActiveSpan(), 'nothing active out here').toBeUndefined();
  });

  it('a route set by the framework names the span; a 5xx is an error; an aborted response ends its span', async () => {
    let arrived!: () => void;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { port } = await serve((path) => {
      if (path !== '/slow') return 503;
      arrived();
      return 0; // never answers
    });
    server!.prependListener('request', (req) => {
      if (req.url !== '/slow') Object.assign(req, { baseUrl: '/api', route: { path: '/items/:id' } });
    });
    expect(await get(port, '/api/items/3')).toBe(503);
    const failed = await waitFor(() => exporter.getFinishedSpans()[0], 'the 503 span');
    expect(failed.name).toBe('GET /api/items/:id');
    expect(failed.attributes['http.route']).toBe('/api/items/:id');
    expect(failed.status.code).toBe(2); // ERROR
    expect(failed.attributes['error.type']).toBeUndefined();

    const aborted = request({ host: '127.0.0.1', port, path: '/slow', agent: false });
    aborted.on('error', () => undefined).end();
    await slowArrived;
    expect(exporter.getFinishedSpans()).toHaveLength(1); // in flight: not ended yet
    aborted.destroy();
    const span = await waitFor(() => exporter.getFinishedSpans()[1], 'the aborted span');
    expect(span.attributes['error.type']).toBe('aborted');
  });

  it("requests to Vigil's own ports get no span", async () => {
    const { port, seen } = await serve(() => 200, true);
    expect(await get(port, '/metrics', { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` })).toBe(200);
    expect(seen).toEqual([undefined, undefined]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('with nothing recording, a request gets a span context; one without traceparent is marked unlinked (no labels)', async () => {
    const { port, seen, unlinked } = await serve(() => 200, false, false);
    expect(await get(port, '/traced', { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` })).toBe(200);
    expect(await get(port, '/untraced')).toBe(200);
    const [traced, , untraced] = seen;
    expect(traced?.spanContext().traceId).toBe(TRACE_ID);
    expect(traced?.spanContext().spanId).not.toBe(PARENT_ID);
    expect(traced?.isRecording()).toBe(false);
    expect(untraced?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/); // a trace of its own, propagated downstream
    expect(untraced?.spanContext().traceId).not.toBe(TRACE_ID);
    expect(unlinked).toEqual([undefined, true]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('an unlinked request keeps one span, made when first read, through awaits and derived contexts', async () => {
    const KEY = Symbol('app key');
    const derived: { span: Span | undefined; unlinked: unknown; value: unknown }[] = [];
    const { port, seen } = await serve(
      async () => {
        const child = context.active().setValue(KEY, 'app value');
        await context.with(child, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          const active = context.active();
          derived.push({
            span: trace.getSpan(active),
            unlinked: active.getValue(UNLINKED_TRACE),
            value: active.getValue(KEY),
          });
        });
        return 200;
      },
      false,
      false,
    );
    expect(await get(port, '/a')).toBe(200);
    expect(await get(port, '/b')).toBe(200);
    const [a, aAfter, b, bAfter] = seen;
    expect(a).toBeDefined();
    expect(aAfter).toBe(a); // the same span object after an await: made once
    expect(bAfter).toBe(b);
    expect(b?.spanContext().traceId).not.toBe(a?.spanContext().traceId); // each request a trace of its own
    expect(derived.map((d) => d.span)).toEqual([a, b]);
    expect(derived.map((d) => [d.unlinked, d.value])).toEqual([
      [true, 'app value'],
      [true, 'app value'],
    ]);
  });
});
