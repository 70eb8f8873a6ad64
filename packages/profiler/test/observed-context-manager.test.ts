import { context, trace, type ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { PROFILE_ID, SpanLabeler, observeContextManager, type SpanLabels } from '@vigil/profiler';

/**
 * The labeler drives the profiler through a three-call port (`ContextApi`); here it records what the profiler would
 * be told, so the test reads which labels were entered around which callback.
 */
function recordingTime() {
  const entered: (SpanLabels | object)[] = [];
  let current: unknown;
  return {
    entered,
    setContext: (value?: object) => void (current = value),
    getContext: () => current,
    runWithContext<R>(labels: object, fn: () => R): R {
      entered.push(labels);
      return fn();
    },
  };
}

let manager: ContextManager | undefined;
afterEach(() => {
  context.disable();
  manager = undefined;
});

describe('observing a context manager the app registered', () => {
  it("labels CPU samples with the app's spans, marks local roots with their profile id, and comes off cleanly", () => {
    manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const exporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('app');
    const time = recordingTime();
    const labeler = new SpanLabeler('cped', time);
    labeler.activate();
    const observed = observeContextManager(manager);
    observed.useLabeler(labeler);

    tracer.startActiveSpan('root', (root) => {
      tracer.startActiveSpan('child', (child) => child.end());
      root.end();
    });
    const [child, root] = exporter.getFinishedSpans();
    expect(time.entered).toEqual([
      {
        trace_id: root!.spanContext().traceId,
        span_id: root!.spanContext().spanId,
        local_root_span_id: root!.spanContext().spanId,
      },
      {
        trace_id: root!.spanContext().traceId,
        span_id: child!.spanContext().spanId,
        local_root_span_id: root!.spanContext().spanId,
      },
    ]);
    expect(root!.attributes[PROFILE_ID]).toBe(root!.spanContext().spanId);
    expect(child!.attributes[PROFILE_ID]).toBeUndefined();
    expect(context.active()).toBe(manager.active()); // still the app's manager behind the API

    observed.restore();
    expect(Object.prototype.hasOwnProperty.call(manager, 'with')).toBe(false);
    tracer.startActiveSpan('after', (span) => span.end());
    expect(time.entered).toHaveLength(2);
  });

  it('a span entered with context.attach() labels the rest of the frame, and marks its root', () => {
    const alsManager = new AsyncLocalStorageContextManager().enable();
    manager = alsManager;
    const time = recordingTime();
    const labeler = new SpanLabeler('cped', time);
    labeler.activate();
    const observed = observeContextManager(alsManager);
    observed.useLabeler(labeler);
    const span = new TracerProvider().getTracer('app').startSpan('server');
    alsManager.attach(trace.setSpan(alsManager.active(), span));
    const { traceId, spanId } = span.spanContext();
    expect(time.getContext()).toEqual({ trace_id: traceId, span_id: spanId, local_root_span_id: spanId });
    expect((span as unknown as { attributes: Record<string, unknown> }).attributes[PROFILE_ID]).toBe(spanId);
    observed.restore();
    expect(Object.prototype.hasOwnProperty.call(alsManager, 'attach')).toBe(false);
  });

  it('leaves a wrapper someone put over it in place, and passes through from then on', () => {
    manager = new AsyncLocalStorageContextManager().enable();
    const time = recordingTime();
    const labeler = new SpanLabeler('cped', time);
    labeler.activate();
    const observed = observeContextManager(manager);
    observed.useLabeler(labeler);
    const ours = manager.with.bind(manager);
    const theirs = ((ctx, fn) => ours(ctx, fn)) as ContextManager['with'];
    manager.with = theirs;
    observed.restore();
    expect(manager.with).toBe(theirs);
    const span = new TracerProvider().getTracer('app').startSpan('s');
    manager.with(trace.setSpan(manager.active(), span), () => undefined);
    expect(time.entered).toEqual([]);
  });
});
