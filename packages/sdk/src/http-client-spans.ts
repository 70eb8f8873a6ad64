import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { SpanKind, SpanStatusCode, context, propagation, trace, type Span, type Tracer } from '@opentelemetry/api';
import { childSpan } from './local-span.ts';

// Published when the request object is made, before its headers are stored (`http.client.request.start` comes after).
const REQUEST_CREATED = 'http.client.request.created';

export interface HttpClientSpansOptions {
  /** The tracer spans come from (read at each request: it follows the global tracer provider). */
  tracer: () => Tracer;
  /** True when someone else makes HTTP spans (the app's own instrumentation): this request is theirs. */
  skip?: () => boolean;
  /** Whether spans go anywhere; when not, outgoing requests carry a child span context and nothing is recorded. */
  recording: boolean;
}

/**
 * Outgoing `http`/`https` requests continue the active trace: Node publishes `http.client.request.created` when a
 * request is created, before its headers are sent, and a CLIENT span (or, with nothing exported, a child span context)
 * is injected as `traceparent`. Requests made outside any span are left alone. Returns the unsubscribe function.
 */
export function httpClientSpans(options: HttpClientSpansOptions): () => void {
  const onStart = (message: unknown): void => {
    const { request } = message as { request: ClientRequest };
    const active = context.active();
    const parent = trace.getSpanContext(active);
    if (parent === undefined || request.headersSent || options.skip?.()) return;
    if (!options.recording) {
      propagation.inject(trace.setSpan(active, childSpan(parent)), request, setter);
      return;
    }
    const method = request.method ?? 'GET';
    const host = request.host;
    const authority = request.getHeader('host'); // with the port when it is not the default, as the URL writes it
    const span = options.tracer().startSpan(
      method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'server.address': host,
          'url.full': `${request.protocol}//${typeof authority === 'string' ? authority : host}${request.path}`,
        },
      },
      active,
    );
    propagation.inject(trace.setSpan(active, span), request, setter);
    request.once('response', (response: IncomingMessage) => {
      response.once('end', () => end(span, response.statusCode));
      response.once('error', () => end(span, response.statusCode, 'aborted'));
    });
    request.once('error', (error: Error) => end(span, undefined, (error as { code?: string }).code ?? error.name));
  };
  subscribe(REQUEST_CREATED, onStart);
  return () => unsubscribe(REQUEST_CREATED, onStart);
}

const setter = {
  set(request: ClientRequest, key: string, value: string) {
    request.setHeader(key, value);
  },
};

function end(span: Span, status: number | undefined, errorType?: string): void {
  if (!span.isRecording()) return; // ended already (an error after the response)
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  if (errorType !== undefined) span.setAttribute('error.type', errorType);
  if (errorType !== undefined || (status ?? 0) >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
