import { metrics, type ContextManager } from '@opentelemetry/api';
import { getGlobal, setGlobal, deleteGlobal } from '@vigil/core';
import type { SpanLabeler } from '@vigil/profiler';
import { registeredGlobal } from './otel-globals.ts';

/**
 * Vigil's side of composing with an app's own NodeSDK that starts *after* Vigil: `vigilComponents()` asks the running
 * Vigil to give up the global slots it holds, so that the app's `sdk.start()` registers into empty ones (no
 * "duplicate registration" errors, and the app's tracer provider is the one its instrumentations use). The state
 * lives on globalThis: `vigilComponents()` may come from the other build (ESM/CJS) than `start()`.
 */
export interface TracingHandover {
  /** Give the global tracer provider, context manager and propagator back; labels follow `manager` from now on. */
  handOver(manager: LabellingContextManager): void;
}

/** A context manager that labels CPU samples with the active span: Vigil's, or the app's given by vigilComponents(). */
export type LabellingContextManager = ContextManager & { useLabeler(labeler: SpanLabeler | undefined): void };

/** The span labeler's place while Vigil runs: on Vigil's context manager until a hand-over, then on the app's. */
export interface LabelSlot {
  useLabeler(labeler: SpanLabeler | undefined): void;
  /** Vigil's shutdown: no more hand-over, labels off, and the globals freed unless they were handed over already. */
  release(): void;
}

/**
 * Holds Vigil's tracing open to a hand-over: on `vigilComponents()`, `releaseGlobals` frees the slots Vigil
 * registered, the labeler moves to the app's context manager, and `afterHandOver` lets go of what is left.
 */
export function holdLabelSlot(
  manager: LabellingContextManager,
  releaseGlobals: () => void,
  afterHandOver: () => void,
): LabelSlot {
  let labeler: SpanLabeler | undefined;
  let current = manager;
  let handedOver = false;
  holdTracing({
    handOver(next) {
      if (handedOver) return;
      handedOver = true;
      releaseGlobals();
      current.useLabeler(undefined);
      current = next;
      current.useLabeler(labeler);
      afterHandOver();
    },
  });
  return {
    useLabeler(next) {
      labeler = next;
      current.useLabeler(next);
    },
    release() {
      holdTracing(undefined);
      current.useLabeler(undefined);
      if (!handedOver) releaseGlobals();
    },
  };
}

const METER_PROVIDER = 'sdk.global-meter-provider';
const TRACING = 'sdk.tracing-handover';

export function holdMeterProvider(provider: unknown): void {
  setGlobal(METER_PROVIDER, provider);
}

export function holdTracing(tracing: TracingHandover | undefined): void {
  if (tracing === undefined) deleteGlobal(TRACING);
  else setGlobal(TRACING, tracing);
}

/** Called by `vigilComponents()`: frees what Vigil registered globally, before the app's NodeSDK registers its own. */
export function handOverToApp(manager: Parameters<TracingHandover['handOver']>[0]): void {
  const provider = getGlobal(METER_PROVIDER);
  if (provider !== undefined && registeredGlobal('metrics') === provider) metrics.disable();
  deleteGlobal(METER_PROVIDER);
  getGlobal<TracingHandover>(TRACING)?.handOver(manager);
}
