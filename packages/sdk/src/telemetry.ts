import { context, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ProfilingContextManager } from '@vigil/profiler';
import { profileIdProcessor } from './profile-id-processor.ts';
import { hostname } from 'node:os';
import type { ResolvedConfig } from './types.ts';

export interface Telemetry {
  resource: Resource;
  /** The context manager Vigil registered (undefined when the app had its own): it tells the profiler about spans. */
  contextManager: ProfilingContextManager | undefined;
  exporter: PrometheusExporter;
  meterProvider: MeterProvider;
  tracerProvider: TracerProvider;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry side: a resource, a MeterProvider read by the Prometheus exporter (and by `extraReaders`, such as
 * the trigger rules' reader: sdk-metrics takes readers only at construction), and a tracer provider.
 */
export function createTelemetry(config: ResolvedConfig, log: DiagLogger, labelSpans: boolean, extraProcessors: readonly SpanProcessor[] = [], extraReaders: readonly MetricReader[] = []): Telemetry {
  const resource = resourceFromAttributes({
    'service.name': config.serviceName,
    'host.name': hostname(),
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
  });
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const meterProvider = new MeterProvider({ resource, readers: [exporter, ...extraReaders] });

  const spanProcessors: SpanProcessor[] = [...(labelSpans ? [profileIdProcessor()] : []), ...extraProcessors];
  const tracerProvider = new TracerProvider({ resource, spanProcessors });
  const contextManager = new ProfilingContextManager().enable();
  // If the app already registered its own OpenTelemetry SDK, keep it: Vigil works with whatever is global.
  const ownsContext = context.setGlobalContextManager(contextManager);
  if (!ownsContext) contextManager.disable();
  const ownsTracer = trace.setGlobalTracerProvider(tracerProvider);
  const ownsPropagator = propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (!ownsTracer) log.info('a global tracer provider was already registered; Vigil uses it');
  if (!ownsContext && labelSpans) log.warn('a context manager was already registered: CPU samples will not carry span labels');

  return {
    resource,
    contextManager: ownsContext ? contextManager : undefined,
    exporter,
    meterProvider,
    tracerProvider,
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      if (ownsTracer) trace.disable();
      if (ownsPropagator) propagation.disable();
      if (ownsContext) context.disable();
    },
  };
}
