import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Context, ContextManagementToken } from '@opentelemetry/api';
import type { SpanLabeler } from './span-labels.ts';

/**
 * OpenTelemetry's AsyncLocalStorage context manager, telling the profiler when the active span changes so that each
 * CPU sample carries the span that was running. The labeler is attached when the profiler starts.
 */
export class ProfilingContextManager extends AsyncLocalStorageContextManager {
  #labeler: SpanLabeler | undefined;

  useLabeler(labeler: SpanLabeler | undefined): void {
    this.#labeler = labeler;
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const labeler = this.#labeler;
    // The common case — the span did not change — adds one comparison and allocates nothing.
    if (labeler === undefined || !labeler.changesSpan(context, this.active())) return super.with(context, fn, thisArg, ...args);
    return labeler.enter(context, this.active(), () => super.with(context, fn, thisArg, ...args));
  }

  /** `context.attach()` (what Vigil's HTTP server spans use): the new frame takes the span's labels too. */
  override attach(context: Context): ContextManagementToken {
    const labeler = this.#labeler;
    const current = this.active();
    const token = super.attach(context);
    if (labeler !== undefined && labeler.changesSpan(context, current)) labeler.attached(context, current);
    return token;
  }
}
