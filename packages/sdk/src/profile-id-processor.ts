import { trace, type Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Marks each local root span with `pyroscope.profile.id` = its span id — the attribute Grafana's trace-to-profile link
 * looks for — since the CPU samples under it carry the same id as `local_root_span_id`.
 */
export function profileIdProcessor(): SpanProcessor {
  return {
    onStart(span: Span, parentContext: Context) {
      const parent = trace.getSpan(parentContext);
      if (parent === undefined || parent.spanContext().isRemote) {
        span.setAttribute('pyroscope.profile.id', span.spanContext().spanId);
      }
    },
    onEnd() {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
