import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { UNLINKED_TRACE } from '@vigil/profiler';
import { childSpan } from './local-span.ts';

/** What Node publishes on `http.server.request.start`, just before the server emits `request`. */
interface RequestStart {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** `req.route` as Express (4 and 5) sets it once a route matched, with the router's mount point in `req.baseUrl`. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
}

export interface HttpServerSpansOptions {
  /** The tracer spans come from (read at each request: it follows the global tracer provider). */
  tracer: () => Tracer;
  /**
   * Whether spans go anywhere (a span processor or exporter is configured). When not, each request gets a
   * non-recording span — a span context under the caller's trace with a fresh span id, what CPU samples are labelled
   * with — instead of a recorded span that would be built only to be dropped.
   */
  recording?: boolean;
  /** True when someone else makes HTTP spans (the app's own instrumentation): this request is theirs. */
  skip?: () => boolean;
  /** Requests arriving on these local ports (Vigil's own servers) get no span. */
  ignorePorts?: ReadonlySet<number>;
}

const REQUEST_START = 'http.server.request.start';

/** The parent of a request with neither `traceparent` nor baggage, when spans are not recorded: made once. */
const UNLINKED_ROOT = ROOT_CONTEXT.setValue(UNLINKED_TRACE, true);

/**
 * The active context of a request that came with neither `traceparent` nor baggage while no span is recorded: the
 * root of a trace Vigil starts itself ({@link UNLINKED_TRACE}). It is made lazily: the span, its ids and the context
 * map are built only when something reads more than the unlinked mark (an outgoing request propagating the trace, a
 * logger reading the active span), and then once. A request nobody asks about costs this one small object, which
 * matters because each keep-alive connection's timer keeps its last request's context alive until the next request:
 * what survives a scavenge is what makes V8 grow the young generation (bench/README.md, "Where the memory goes").
 */
class UnlinkedRequestContext implements Context {
  #context: Context | undefined;

  #materialized(): Context {
    return (this.#context ??= trace.setSpan(UNLINKED_ROOT, childSpan(undefined)));
  }

  getValue(key: symbol): unknown {
    return key === UNLINKED_TRACE ? true : this.#materialized().getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.#materialized().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.#materialized().deleteValue(key);
  }
}

/**
 * HTTP server spans from Node's `diagnostics_channel`, without patching `http` or wrapping any emitter: when a request
 * starts, a SERVER span is started under the caller's `traceparent` and made the active context with
 * `context.attach()` for the rest of that callback — the `request` handlers run inside it and every continuation
 * they create inherits it; the span ends when the response closes (finished or aborted). Per request that is one
 * span with five attributes, one context and one `close` listener. Returns the unsubscribe function.
 */
export function httpServerSpans(options: HttpServerSpansOptions): () => void {
  const ignorePorts = options.ignorePorts ?? new Set<number>();
  const recording = options.recording ?? true;
  const onStart = (message: unknown): void => {
    const { request, response } = message as RequestStart;
    if (ignorePorts.has(request.socket.localPort ?? -1) || options.skip?.()) return;
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    if (!recording) {
      if (parent === ROOT_CONTEXT) {
        context.attach(new UnlinkedRequestContext());
        return;
      }
      const caller = trace.getSpanContext(parent);
      const linked = caller !== undefined && isSpanContextValid(caller);
      // A trace Vigil starts itself, recorded nowhere: propagated downstream, but its samples are not labelled.
      const base = linked ? parent : parent.setValue(UNLINKED_TRACE, true);
      context.attach(trace.setSpan(base, childSpan(caller)));
      return;
    }
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const span = options.tracer().startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': query < 0 ? url : url.slice(0, query),
          'url.scheme': (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
          'network.protocol.version': request.httpVersion,
        },
      },
      parent,
    );
    context.attach(trace.setSpan(parent, span));
    response.once('close', () => endSpan(span, request as RoutedRequest, response, method));
  };
  subscribe(REQUEST_START, onStart);
  return () => unsubscribe(REQUEST_START, onStart);
}

function endSpan(span: Span, request: RoutedRequest, response: ServerResponse, method: string): void {
  const status = response.statusCode;
  span.setAttribute('http.response.status_code', status);
  const route = typeof request.route?.path === 'string' ? `${request.baseUrl ?? ''}${request.route.path}` : undefined;
  if (route !== undefined) {
    span.setAttribute('http.route', route);
    span.updateName(`${method} ${route}`);
  }
  // A server span is an error for a 5xx only (4xx is the client's); a response that never finished was aborted.
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  if (!response.writableFinished) span.setAttribute('error.type', 'aborted');
  span.end();
}
