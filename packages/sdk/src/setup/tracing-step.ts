import type { DiagLogger } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanLabeler, SpanLabelMode } from '@vigil/profiler';
import { exportersRequested } from '../span-exporters.ts';
import type { Tracing } from '../tracing.ts';
import type { ResolvedConfig, VigilOptions } from '../types.ts';

export interface TracingStepInputs {
  spanLabels: SpanLabelMode;
  /** Resolves when tracing may be set up (see main-entry.ts). */
  gate: Promise<void>;
  resource: Resource;
  /** Vigil's own ports, whose requests get no spans. */
  ownPorts: ReadonlySet<number>;
  labeler: SpanLabeler | undefined;
  log: DiagLogger;
}

/** Tracing, when something needs spans; the profiler's span labeler is attached to the context manager in force. */
export async function tracingStep(
  config: Readonly<ResolvedConfig>,
  options: VigilOptions,
  inputs: TracingStepInputs,
): Promise<Tracing | undefined> {
  if (!tracingWanted(config, options, inputs.spanLabels)) return undefined;
  await inputs.gate;
  // Loaded only now: a metrics-only start never loads NodeSDK or the tracing SDK.
  const { startTracing } = await import('../tracing.ts');
  const tracing = await startTracing({
    config,
    options,
    resource: inputs.resource,
    ownPorts: inputs.ownPorts,
    log: inputs.log,
  });
  tracing.useLabeler(inputs.labeler);
  return tracing;
}

/**
 * Tracing is on when something needs spans: span labels, the HTTP instrumentation, span processors or
 * instrumentations passed in code, or a span exporter named in `OTEL_TRACES_EXPORTER`.
 */
function tracingWanted(config: Readonly<ResolvedConfig>, options: VigilOptions, spanLabels: SpanLabelMode): boolean {
  return (
    spanLabels !== 'off' ||
    config.instrumentHttp ||
    (options.spanProcessors?.length ?? 0) > 0 ||
    (options.instrumentations?.length ?? 0) > 0 ||
    exportersRequested(process.env)
  );
}
