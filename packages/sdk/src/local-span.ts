import {
  INVALID_SPAN_CONTEXT,
  TraceFlags,
  isSpanContextValid,
  trace,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { LABELS_SLOT, type LabelledSpan } from '@vigil/profiler';
import { randomSpanId, randomTraceId } from './random-ids.ts';

/** The API's own non-recording span class (what `trace.wrapSpanContext` makes), which the API does not export. */
const NonRecordingSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT).constructor as new (context: SpanContext) => Span;

/**
 * The API's non-recording span (an `instanceof` it still), with a slot for its CPU-sample labels so that the labeler
 * keeps them on the span rather than in a `WeakMap` entry per request.
 */
class LocalSpan extends NonRecordingSpan implements LabelledSpan {
  [LABELS_SLOT]: LabelledSpan[typeof LABELS_SLOT] = undefined;
}

/**
 * A non-recording span for when nothing exports spans: a span context with a fresh span id under `parent`'s trace, or
 * at the root of a new (sampled) trace when there is no valid parent. It is what CPU samples are labelled with and
 * what outgoing requests propagate, at the cost of two small objects.
 */
export function childSpan(parent: SpanContext | undefined): Span {
  const valid = parent !== undefined && isSpanContextValid(parent);
  return new LocalSpan({
    traceId: valid ? parent.traceId : randomTraceId(),
    spanId: randomSpanId(),
    traceFlags: valid ? parent.traceFlags : TraceFlags.SAMPLED,
  });
}
