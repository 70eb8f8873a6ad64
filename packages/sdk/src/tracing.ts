import { context, propagation, trace, type ContextManager, type DiagLogger } from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
  getStringListFromEnv,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ProfilingContextManager,
  observeContextManager,
  type ObservedContextManager,
  type SpanLabeler,
} from '@vigil/profiler';
import { holdLabelSlot } from './handover.ts';
import { instrument, type Instrumented } from './instrumentation.ts';
import { registeredGlobal } from './otel-globals.ts';
import { exportersRequested, spanProcessorsFromEnv } from './span-exporters.ts';
import type { ResolvedConfig, VigilOptions } from './types.ts';

/** The tracing side of a running Vigil: its own NodeSDK, or the app's SDK observed. */
export interface Tracing {
  /** Whose SDK carries the spans: Vigil's NodeSDK, the app's, or none (nothing exports spans: see lightTracing). */
  readonly owner: 'vigil' | 'app' | 'none';
  /** Attach the profiler's span labeler to the context manager in force. */
  useLabeler(labeler: SpanLabeler | undefined): void;
  shutdown(): Promise<void>;
}

interface TracingOptions {
  config: Readonly<ResolvedConfig>;
  options: VigilOptions;
  resource: Resource;
  ownPorts: ReadonlySet<number>;
  log: DiagLogger;
}

/**
 * Loaded only when tracing is on (`@opentelemetry/sdk-node` alone is ~39 MiB at import). When the app has registered
 * an OpenTelemetry SDK already, Vigil registers nothing over it and observes its context manager; otherwise it
 * composes a NodeSDK with the standard `OTEL_*` variables and Vigil's context manager.
 */
export async function startTracing(opts: TracingOptions): Promise<Tracing> {
  const appContext = registeredGlobal('context') as ContextManager | undefined;
  if (appContext !== undefined || registeredGlobal('trace') !== undefined) return adoptAppSdk(opts, appContext);
  if (spansExported(opts.options) || !defaultPropagators()) return composeNodeSdk(opts);
  return lightTracing(opts);
}

/** Whether anything takes spans: span processors or instrumentations in code, or an exporter in OTEL_TRACES_EXPORTER. */
function spansExported(options: VigilOptions): boolean {
  return (
    (options.spanProcessors?.length ?? 0) > 0 ||
    (options.instrumentations?.length ?? 0) > 0 ||
    exportersRequested(process.env)
  );
}

/** OTEL_PROPAGATORS unset, or W3C trace context and baggage: what the light path propagates. */
function defaultPropagators(): boolean {
  const names = getStringListFromEnv('OTEL_PROPAGATORS') ?? ['tracecontext', 'baggage'];
  return names.every((name) => name === 'tracecontext' || name === 'baggage');
}

/**
 * When nothing exports spans (the default: OTEL_TRACES_EXPORTER unset), a tracer provider would build every span only
 * to drop it, and NodeSDK costs ~39 MiB to load. Vigil then registers its context manager and the W3C propagators
 * only, and HTTP requests get non-recording spans: the caller's trace with a fresh span id, which is what CPU samples
 * are labelled with and outgoing requests propagate. Setting an exporter switches to NodeSDK (composeNodeSdk).
 */
async function lightTracing({ config, options, ownPorts, log }: TracingOptions): Promise<Tracing> {
  const manager = new ProfilingContextManager().enable();
  context.setGlobalContextManager(manager);
  const ownPropagator = registeredGlobal('propagation') === undefined;
  if (ownPropagator) {
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
  }
  const propagator = ownPropagator ? registeredGlobal('propagation') : undefined;
  const instrumented = await instrument({
    http: config.instrumentHttp,
    recording: false,
    extra: options.instrumentations ?? [],
    ownPorts,
    log,
  });
  const releaseGlobals = () => {
    if (registeredGlobal('context') === manager) context.disable();
    if (propagator !== undefined && registeredGlobal('propagation') === propagator) propagation.disable();
  };
  const labels = holdLabelSlot(manager, releaseGlobals, () =>
    log.info("vigilComponents(): the app's NodeSDK takes over the context manager and propagator"),
  );
  return {
    owner: 'none',
    useLabeler: (labeler) => labels.useLabeler(labeler),
    async shutdown() {
      instrumented.stop();
      labels.release();
    },
  };
}

async function adoptAppSdk(
  { config, options, ownPorts, log }: TracingOptions,
  appContext: ContextManager | undefined,
): Promise<Tracing> {
  // An app that registered a tracer provider but no context manager has no active spans: Vigil's fills the free slot.
  const ownContext = appContext === undefined ? new ProfilingContextManager().enable() : undefined;
  if (ownContext !== undefined) context.setGlobalContextManager(ownContext);
  const observed: ObservedContextManager =
    ownContext !== undefined ? observeContextManager(ownContext) : observeContextManager(appContext!);
  if ((options.spanProcessors?.length ?? 0) > 0) {
    log.warn(
      "options.spanProcessors are not used: the app's own tracer provider is global; add them to the app's NodeSDK",
    );
  }
  const instrumented = await instrument({
    http: config.instrumentHttp,
    recording: registeredGlobal('trace') !== undefined,
    extra: options.instrumentations ?? [],
    ownPorts,
    log,
  });
  log.info(
    "an OpenTelemetry SDK is registered already (the app's): Vigil registers no tracer provider or propagator, and CPU samples carry the app's spans",
  );
  return {
    owner: 'app',
    useLabeler: (labeler) => observed.useLabeler(labeler),
    async shutdown() {
      instrumented.stop();
      observed.restore();
      if (ownContext !== undefined && registeredGlobal('context') === ownContext) context.disable();
    },
  };
}

async function composeNodeSdk({ config, options, resource, ownPorts, log }: TracingOptions): Promise<Tracing> {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { NoopSpanProcessor } = await import('@opentelemetry/sdk-trace');
  const manager = new ProfilingContextManager();
  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? []), ...(await spanProcessorsFromEnv())];
  const ownPropagator = registeredGlobal('propagation') === undefined;
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    serviceName: config.serviceName,
    contextManager: manager,
    // `null` = leave the app's propagator; `undefined` = NodeSDK's: OTEL_PROPAGATORS, else W3C trace context + baggage.
    textMapPropagator: ownPropagator ? undefined : null,
    // NodeSDK builds a tracer provider only when it has a span processor; spans must exist (for the labels and the
    // app's own instrumentation) even when nothing exports them.
    spanProcessors: spanProcessors.length > 0 ? spanProcessors : [new NoopSpanProcessor()],
    // Metrics are Vigil's own MeterProvider (telemetry.ts): NodeSDK builds none, and reads no OTEL_METRICS_EXPORTER.
    metricReaders: [],
  });
  withEnv(
    {
      // Vigil has set up `diag` from OTEL_LOG_LEVEL already; NodeSDK would replace that logger, with a warning.
      OTEL_LOG_LEVEL: undefined,
      // Vigil sets up no logs signal unless asked: NodeSDK's default would export logs to localhost:4318.
      OTEL_LOGS_EXPORTER: process.env.OTEL_LOGS_EXPORTER?.trim() || 'none',
    },
    () => sdk.start(),
  );
  const registered = {
    trace: registeredGlobal('trace'),
    propagation: ownPropagator ? registeredGlobal('propagation') : undefined,
  };
  if (registered.trace === undefined)
    log.info('OTEL_SDK_DISABLED is set: no spans, and CPU samples carry no span labels');
  const instrumented: Instrumented = await instrument({
    http: config.instrumentHttp,
    recording: true,
    extra: options.instrumentations ?? [],
    ownPorts,
    log,
  });
  let sdkStopped: Promise<void> | undefined;
  const stopSdk = () => (sdkStopped ??= sdk.shutdown());
  const releaseGlobals = () => {
    if (registeredGlobal('trace') === registered.trace && registered.trace !== undefined) trace.disable();
    if (registeredGlobal('propagation') === registered.propagation && registered.propagation !== undefined)
      propagation.disable();
    if (registeredGlobal('context') === manager) context.disable();
  };
  const labels = holdLabelSlot(manager, releaseGlobals, () => {
    // Vigil's instrumentations hold the old global proxy: point them at the new one, which the app's provider fills.
    instrumented.followGlobalTracerProvider();
    stopSdk().catch((error: unknown) => log.debug(`shutting down Vigil's tracer provider: ${String(error)}`));
    log.info("vigilComponents(): the app's NodeSDK takes over the tracer provider, context manager and propagator");
  });
  return {
    owner: 'vigil',
    useLabeler: (labeler) => labels.useLabeler(labeler),
    async shutdown() {
      instrumented.stop();
      labels.release();
      await stopSdk();
    },
  };
}

/** Runs `fn` with some environment variables set (or removed) and restores them: NodeSDK reads `process.env` itself. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  try {
    fn();
  } finally {
    apply(saved);
  }
}
