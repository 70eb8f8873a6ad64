import { TraceFlags, isSpanContextValid, trace, type Span, type SpanContext } from '@opentelemetry/api';
import { randomSpanId, randomTraceId } from './random-ids.ts';

/**
 * A non-recording span for when nothing exports spans: a span context with a fresh span id under `parent`'s trace, or
 * at the root of a new (sampled) trace when there is no valid parent. It is what CPU samples are labelled with and
 * what outgoing requests propagate, at the cost of two small objects.
 */
export function childSpan(parent: SpanContext | undefined): Span {
  const valid = parent !== undefined && isSpanContextValid(parent);
  return trace.wrapSpanContext({
    traceId: valid ? parent.traceId : randomTraceId(),
    spanId: randomSpanId(),
    traceFlags: valid ? parent.traceFlags : TraceFlags.SAMPLED,
  });
}
