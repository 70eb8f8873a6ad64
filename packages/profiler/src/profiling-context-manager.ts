import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Context, ContextManagementToken, ContextManager } from '@opentelemetry/api';
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

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const labeler = this.#labeler;
    // The common case — the span did not change — adds one comparison and allocates nothing.
    if (labeler === undefined || !labeler.changesSpan(context, this.active()))
      return super.with(context, fn, thisArg, ...args);
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

/** A context manager someone else registered, observed so that CPU samples carry its spans. */
export interface ObservedContextManager {
  useLabeler(labeler: SpanLabeler | undefined): void;
  /** Takes the observer off again (if nobody has replaced it since). */
  restore(): void;
}

/**
 * Labels CPU samples with the spans of a context manager the application registered (its own NodeSDK's), without
 * replacing it: its `with` — which `bind()` and every instrumentation go through — is wrapped on that one instance,
 * doing what {@link ProfilingContextManager} does. The app's object stays the global one, with its own behaviour.
 */
export function observeContextManager(manager: ContextManager): ObservedContextManager {
  if (manager instanceof ProfilingContextManager) {
    return { useLabeler: (labeler) => manager.useLabeler(labeler), restore: () => manager.useLabeler(undefined) };
  }
  type With = (
    this: ContextManager,
    context: Context,
    fn: (...args: unknown[]) => unknown,
    thisArg?: unknown,
    ...args: unknown[]
  ) => unknown;
  type Attach = (this: ContextManager, context: Context) => ContextManagementToken;
  const target = manager as unknown as { with: With; attach?: Attach };
  let labeler: SpanLabeler | undefined;
  const observed: With = function (context, fn, thisArg, ...args) {
    const current = labeler;
    if (current === undefined || !current.changesSpan(context, this.active()))
      return original.with.call(this, context, fn, thisArg, ...args);
    return current.enter(context, this.active(), () => original.with.call(this, context, fn, thisArg, ...args));
  };
  // `context.attach()` (imperative entry, newer API): the new frame takes the span's labels too, as in the class above.
  const observedAttach: Attach = function (context) {
    const before = this.active();
    const token = original.attach!.call(this, context);
    if (labeler !== undefined && labeler.changesSpan(context, before)) labeler.attached(context, before);
    return token;
  };
  const own = {
    with: Object.prototype.hasOwnProperty.call(target, 'with'),
    attach: Object.prototype.hasOwnProperty.call(target, 'attach'),
  };
  const original = { with: target.with, attach: target.attach };
  target.with = observed;
  if (typeof original.attach === 'function') target.attach = observedAttach;
  const put = (key: 'with' | 'attach', ours: unknown) => {
    if (target[key] !== ours) return; // wrapped again since: leave theirs; ours passes through now
    if (own[key]) Object.assign(target, { [key]: original[key] });
    else delete (target as Partial<typeof target>)[key];
  };
  return {
    useLabeler(next) {
      labeler = next;
    },
    restore() {
      labeler = undefined;
      put('with', observed);
      if (typeof original.attach === 'function') put('attach', observedAttach);
    },
  };
}
