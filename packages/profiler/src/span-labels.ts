import { createHook, type AsyncHook } from 'node:async_hooks';
import { context as otelContext, createContextKey, trace, type Context, type Span } from '@opentelemetry/api';

/** The parts of `@datadog/pprof`'s time profiler the labeler drives (passed in: the addon loads lazily). */
export interface ContextApi {
  setContext(context?: object): void;
  getContext(): unknown;
  runWithContext<R>(context: object, fn: () => R): R;
}

/** The labels every CPU sample carries: the names Grafana Pyroscope reads. */
export interface SpanLabels {
  trace_id: string;
  span_id: string;
  local_root_span_id: string;
}

/**
 * How samples get their span: `cped` stores it in the async-context frame (Node 24: exact across `await`, no hooks);
 * `async-hooks` sets it at every callback entry (Node 22; costs a hook per callback); `off` adds no labels.
 */
export type SpanLabelMode = 'cped' | 'async-hooks' | 'off';

/** Whether this runtime has the async-context frame, found by behaviour (flags may toggle it invisibly). */
export async function hasAsyncContextFrame(): Promise<boolean> {
  try {
    const { isAsyncContextFrameActive } = await import('@datadog/pprof/out/src/async-context-frame.js');
    return isAsyncContextFrameActive();
  } catch {
    return false;
  }
}

/**
 * Marks a context whose trace nobody outside this process can know: the root Vigil starts for a request that came
 * without a `traceparent`, when no span is recorded. Its samples carry no labels: a label object per request, kept past
 * a scavenge by the profiler's context holder, is most of what the defaults add to V8's young generation (bench/README
 * "Where the memory goes"), and no trace id anyone holds could find them. A caller's trace, or a recorded span, is
 * labelled as before.
 */
export const UNLINKED_TRACE = createContextKey('vigil.unlinked-trace');

/**
 * Where a span may keep its own label object: Vigil's non-recording spans declare it, so that their labels need no
 * entry in the labeler's `WeakMap` (a lookup and an insertion per request, and an ephemeron for the GC to trace).
 * Spans of any other tracer (the app's own SDK) are cached in the `WeakMap`, untouched.
 */
export const LABELS_SLOT = Symbol('vigil.span-labels');

/** A span with a {@link LABELS_SLOT} of its own. */
export interface LabelledSpan extends Span {
  [LABELS_SLOT]: SpanLabels | undefined;
}

const hasSlot = (span: Span): span is LabelledSpan => LABELS_SLOT in span;

/** The span whose labels a context's samples carry: its active span, unless its trace is unlinked. */
function labelledSpan(context: Context): Span | undefined {
  return context.getValue(UNLINKED_TRACE) === true ? undefined : trace.getSpan(context);
}

/**
 * Gives each span one cached label object, and enters it when a span becomes active. The label object is what the
 * profiler stores per sample, so a span that stays active costs nothing more, and nothing is allocated per call.
 */
export class SpanLabeler {
  readonly mode: SpanLabelMode;
  readonly #labels = new WeakMap<Span, SpanLabels>();
  #hook: AsyncHook | undefined;
  #running = false;

  readonly #time: ContextApi;

  constructor(mode: SpanLabelMode, time: ContextApi) {
    this.mode = mode;
    this.#time = time;
  }

  /** Called once the time profiler runs (with `useCPED` in `cped` mode). */
  activate(): void {
    this.#running = true;
    if (this.mode !== 'async-hooks') return;
    // Every callback entry: point the profiler at the span of the context being entered.
    this.#hook = createHook({
      before: () => {
        this.#time.setContext(this.labelsOf(labelledSpan(otelContext.active())));
      },
    });
    this.#hook.enable();
  }

  deactivate(): void {
    this.#running = false;
    this.#hook?.disable();
    this.#hook = undefined;
  }

  /** The labels of a span (cached); the root is inherited from the parent span when it is local. */
  labelsOf(span: Span | undefined, parent?: Span): SpanLabels | undefined {
    if (span === undefined) return undefined;
    let labels = this.#cached(span);
    if (labels !== undefined) return labels;
    const sc = span.spanContext();
    const parentLabels = parent === undefined ? undefined : this.#cached(parent);
    const root =
      parentLabels !== undefined && parentLabels.trace_id === sc.traceId ? parentLabels.local_root_span_id : sc.spanId;
    labels = { trace_id: sc.traceId, span_id: sc.spanId, local_root_span_id: root };
    if (hasSlot(span)) span[LABELS_SLOT] = labels;
    else this.#labels.set(span, labels);
    return labels;
  }

  #cached(span: Span): SpanLabels | undefined {
    return hasSlot(span) ? span[LABELS_SLOT] : this.#labels.get(span);
  }

  /**
   * Whether entering `context` from `current` changes the span samples are labelled with; only then does `enter` run.
   * The OpenTelemetry context manager asks on every `with()`: inside an unlinked trace the answer is always no.
   */
  changesSpan(context: Context, current: Context): boolean {
    return this.#running && this.mode !== 'off' && labelledSpan(context) !== labelledSpan(current);
  }

  /**
   * After `context` was attached imperatively (`enterWith`: a fresh async-context frame for the rest of the callback),
   * points the profiler at its span: in `cped` mode `setContext` writes into that fresh frame, in `async-hooks` mode
   * it sets the current context as the hook does.
   */
  attached(context: Context, current: Context): void {
    this.#time.setContext(this.#entering(context, current) ?? NO_SPAN);
  }

  /**
   * The labels of the span `context` makes active. A local root marks itself with its profile id — the attribute
   * Grafana's trace-to-profile link reads, and the `local_root_span_id` of the samples under it — once, when it first
   * becomes active: done here rather than in a span processor so that it works with whichever tracer provider is
   * global, the app's own included.
   */
  #entering(context: Context, current: Context): SpanLabels | undefined {
    const span = labelledSpan(context);
    const fresh = span !== undefined && this.#cached(span) === undefined;
    const labels = this.labelsOf(span, labelledSpan(current));
    if (fresh && labels !== undefined && labels.local_root_span_id === labels.span_id && span.isRecording())
      span.setAttribute(PROFILE_ID, labels.span_id);
    return labels;
  }

  enter<R>(context: Context, current: Context, fn: () => R): R {
    const labels = this.#entering(context, current);
    if (this.mode === 'cped') return this.#time.runWithContext(labels ?? NO_SPAN, fn);
    const previous = this.#time.getContext() as SpanLabels | undefined;
    this.#time.setContext(labels);
    try {
      return fn();
    } finally {
      this.#time.setContext(previous);
    }
  }
}

/** The span attribute naming a local root's profile: its span id (Grafana Pyroscope's convention). */
export const PROFILE_ID = 'pyroscope.profile.id';

/** Entered when a context without a span becomes active inside a span's: samples there carry no labels. */
const NO_SPAN = Object.freeze({});

/** `generateLabels` for `time.stop()`: the per-span label object is the label set. */
export function labelsFromContext({ context }: { context?: { context?: object } }): Record<string, string> {
  const labels = context?.context as Partial<SpanLabels> | undefined;
  if (labels?.trace_id === undefined) return {};
  return labels as unknown as Record<string, string>;
}
