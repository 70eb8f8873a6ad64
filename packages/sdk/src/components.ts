import type { ContextManager } from '@opentelemetry/api';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { ProfilingContextManager } from '@vigil/profiler';
import { appMetricsReader } from './app-metrics.ts';
import { handOverToApp } from './handover.ts';

/** What `vigilComponents()` gives the app's own `NodeSDK`. */
export interface VigilComponents {
  /** The profiling context manager: CPU samples carry the span that is active. */
  contextManager: ContextManager;
  /** A reader that serves the app's MeterProvider on Vigil's `/metrics`. */
  metricReaders: MetricReader[];
}

/**
 * Vigil's parts for an app that runs its own NodeSDK: `new NodeSDK({ ...yourOptions, ...vigilComponents() })`.
 * Call it before `sdk.start()`, whether `start()` (Vigil's) ran already or runs later: if Vigil is running, it gives
 * the global slots it holds to the app's SDK. No span processor is handed over — NodeSDK would then ignore
 * `traceExporter` and `OTEL_TRACES_EXPORTER` — local root spans get `pyroscope.profile.id` from the context manager.
 * If you pass `metricReaders` yourself, list both: `metricReaders: [yours, ...vigil.metricReaders]`.
 */
export function vigilComponents(): VigilComponents {
  const contextManager = new ProfilingContextManager();
  handOverToApp(contextManager);
  return { contextManager, metricReaders: [appMetricsReader()] };
}
