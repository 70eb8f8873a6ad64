import type { DiagLogger } from '@opentelemetry/api';
import { PluginHost, orderByDependencies } from '@vigil/core';
import { eventLoopMetrics } from '@vigil/plugin-event-loop';
import { handleMetrics } from '@vigil/plugin-handles';
import { heapMetrics } from '@vigil/plugin-heap';
import { processMetrics } from '@vigil/plugin-process';
import { startDebugServer, type DebugServer, type ListeningServer } from '@vigil/debug-server';
import { CapturesCapability, ProfilerCapability, hasAsyncContextFrame, profiler, type SpanLabelMode } from '@vigil/profiler';
import { openStore } from '@vigil/store';
import { ErrorCodes, VigilError } from '@vigil/core';
import { resolveRules } from './rules.ts';
import { TriggersCapability, triggers } from '@vigil/triggers';
import { listenMetrics, type MetricsServer } from './metrics-server.ts';
import { debugServerOptions } from './debug-options.ts';
import { exportersRequested } from './span-exporters.ts';
import type { Telemetry } from './telemetry.ts';
import type { Tracing } from './tracing.ts';
import type { ClusterHub } from './cluster/cluster-hub.ts';
import { clusterStep } from './cluster/cluster-step.ts';
import type { ResolvedConfig, VigilHandle, VigilOptions } from './types.ts';

/** Everything `start()` sets up once the runtime and the configuration are known good. */
export async function setup(
  config: Readonly<ResolvedConfig>,
  options: VigilOptions,
  portField: string,
  log: DiagLogger,
  telemetry: Telemetry,
  { hub, tracingGate = Promise.resolve() }: { hub?: ClusterHub; tracingGate?: Promise<void> } = {},
): Promise<VigilHandle> {
  const names = config.metricNames;
  const spanLabels = await spanLabelMode(config, log);
  const rules = resolveRules(config, options); // a bad rule fails start() before anything runs
  const store = openStore(config.store, {
    maxCount: config.storeMaxCaptures,
    maxBytes: config.storeMaxBytes,
    maxAgeMillis: config.storeMaxAge,
  }, 'VIGIL_STORE', {
    forcePathStyle: config.s3ForcePathStyle,
    onError: (error, what) => host.reportError('store', error, what), // host exists before any write
  });
  const plugins = [
    eventLoopMetrics({ names, windowMillis: config.eventLoopWindow }),
    heapMetrics({ names }),
    handleMetrics({ names }),
    processMetrics({ names }),
    profiler({
      continuous: config.profiling,
      recorderMillis: config.flightRecorder,
      recorderMaxBytes: config.flightRecorderMaxBytes,
      heapSnapshots: config.heapSnapshots,
      trackHandles: config.trackHandles,
      sourceMapDirs: config.sourceMaps,
      spanLabels,
      store,
      serviceName: config.serviceName,
    }),
    triggers({
      rules,
      reader: telemetry.rulesReader,
      names,
      intervalMillis: config.triggerInterval,
      capturesPerHour: config.capturesPerHour,
      diskBudgetBytes: config.captureDiskBudget,
      identity: { serviceName: config.serviceName, get metricsPort() { return metricsPort; } },
    }),
    ...(options.plugins ?? []),
  ];
  let metricsPort: number | undefined;
  const debugOptions = debugServerOptions(config); // validates exposure and reads TLS files: fails before any side effect
  const cluster = clusterStep(config, debugOptions, hub, log); // where to listen as a cluster worker (docs/cluster.md)
  orderByDependencies(plugins); // a plugin set that cannot start is a configuration error: fail before starting anything
  const host = new PluginHost({ plugins, meterProvider: telemetry.meterProvider });
  const ownPorts = new Set<number>();
  let server: MetricsServer | undefined;
  let url: string | undefined;
  let debug: DebugServer | undefined;
  let tracing: Tracing | undefined;
  try {
    const metrics = cluster.metricsSource(telemetry.exporter, (error, what) => host.reportError('cluster', error, what));
    server = await listenMetrics(metrics, cluster.metricsHost, cluster.metricsPort, portField, {
      reportError: (error, what) => host.reportError('metrics-server', error, what),
    });
    url = server.url;
    metricsPort = server.port;
    ownPorts.add(metricsPort);
    await host.start();
    if (cluster.debugOptions !== undefined) {
      debug = await startDebugServer(cluster.debugOptions, {
        profiler: host.use(ProfilerCapability),
        captures: host.use(CapturesCapability),
        triggers: host.use(TriggersCapability),
        diag: log,
        reportError: (error, what) => host.reportError('debug-server', error, what),
      });
    }
    if (debug) ownPorts.add(Number(new URL(debug.url).port));
    if (tracingWanted(config, options, spanLabels)) {
      await tracingGate;
      // Loaded only now: a metrics-only start never loads NodeSDK or the tracing SDK.
      const { startTracing } = await import('./tracing.ts');
      tracing = await startTracing({ config, options, resource: telemetry.resource, ownPorts, log });
      tracing.useLabeler(host.use(ProfilerCapability)?.labeler);
    }
    cluster.started(url, debug?.url, (error, what) => host.reportError('cluster', error, what));
  } catch (error) {
    cluster.close();
    await teardown(host, server, debug, telemetry.shutdown, tracing);
    throw error;
  }
  log.info(`started: metrics at ${url}${debug ? `, debug endpoints at ${debug.url}/debug/pprof/` : ''}`);

  let stopping: Promise<void> | undefined;
  return {
    config,
    metricsUrl: url,
    debugUrl: debug?.url,
    shutdown() {
      stopping ??= (async () => {
        cluster.close();
        await teardown(host, server, debug, telemetry.shutdown, tracing);
      })();
      return stopping;
    },
  };
}

/** `auto` picks the async-context frame where the runtime has it; otherwise no labels, saying why, once. */
async function spanLabelMode(config: Readonly<ResolvedConfig>, log: DiagLogger): Promise<SpanLabelMode> {
  if (config.spanLabels === 'off' || !config.profiling) return 'off';
  if (config.spanLabels === 'async-hooks') return 'async-hooks';
  const hasFrame = await hasAsyncContextFrame();
  if (config.spanLabels === 'cped' && !hasFrame) {
    throw new VigilError(
      ErrorCodes.CONFIG_INVALID_VALUE,
      'VIGIL_SPAN_LABELS: "cped" needs the async-context frame, which this runtime does not have; use Node 24 ' +
        '(or Node 22 with --experimental-async-context-frame), or set "async-hooks" or "auto"',
      { field: 'VIGIL_SPAN_LABELS', value: 'cped', expected: 'auto, async-hooks or off on this runtime' },
    );
  }
  if (hasFrame) return 'cped';
  log.warn('CPU samples carry no span labels: this runtime has no async-context frame (Node 24 has it); VIGIL_SPAN_LABELS=async-hooks labels them at the cost of a hook per callback');
  return 'off';
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

async function teardown(
  host: PluginHost,
  server: ListeningServer | undefined,
  debug: DebugServer | undefined,
  shutdownTelemetry: () => Promise<void>,
  tracing: Tracing | undefined,
): Promise<void> {
  await tracing?.shutdown();
  await debug?.close();
  await host.stop();
  await server?.close();
  await shutdownTelemetry();
}
