import type { DiagLogger } from '@opentelemetry/api';
import { PluginHost, orderByDependencies } from '@vigil/core';
import { ProfilerCapability } from '@vigil/profiler';
import type { ClusterHub } from './cluster/cluster-hub.ts';
import { clusterStep } from './cluster/cluster-step.ts';
import { debugServerOptions } from './debug-options.ts';
import { resolveRules } from './rules.ts';
import { captureStore } from './setup/capture-store.ts';
import { vigilPlugins } from './setup/plugins.ts';
import { serveDebug, serveMetrics } from './setup/servers.ts';
import { spanLabelMode } from './setup/span-label-mode.ts';
import { teardown, type Running } from './setup/teardown.ts';
import { tracingStep } from './setup/tracing-step.ts';
import type { Telemetry } from './telemetry.ts';
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
  // 1. Checks: each fails start() before anything runs.
  const spanLabels = await spanLabelMode(config, log);
  const rules = await resolveRules(config, options);
  const debugOptions = debugServerOptions(config); // validates exposure and reads the TLS files
  const cluster = clusterStep(config, debugOptions, hub, log); // where to listen as a cluster worker (docs/cluster.md)

  // 2. The plugins, in a host that has not started them yet.
  const store = captureStore(config, (error, what) => host.reportError('store', error, what)); // host exists before any write
  let metricsPort: number | undefined;
  const plugins = vigilPlugins(config, options, {
    rules,
    spanLabels,
    store,
    rulesReader: telemetry.rulesReader,
    metricsPort: () => metricsPort,
  });
  orderByDependencies(plugins); // a plugin set that cannot start is a configuration error
  const host = new PluginHost({ plugins, meterProvider: telemetry.meterProvider });

  // 3. Start: /metrics, the plugins, the debug server, tracing; on a failure, stop what started.
  const running: Running = { cluster, host, telemetry };
  try {
    const metrics = (running.metrics = await serveMetrics(cluster, telemetry, portField, host));
    metricsPort = metrics.port;
    await host.start();
    running.debug = await serveDebug(cluster, host, log);
    const ownPorts = new Set([metrics.port, ...(running.debug ? [Number(new URL(running.debug.url).port)] : [])]);
    running.tracing = await tracingStep(config, options, {
      spanLabels,
      gate: tracingGate,
      resource: telemetry.resource,
      ownPorts,
      labeler: host.use(ProfilerCapability)?.labeler,
      log,
    });
    cluster.started(metrics.url, running.debug?.url, (error, what) => host.reportError('cluster', error, what));
  } catch (error) {
    await teardown(running);
    throw error;
  }
  log.info(
    `started: metrics at ${running.metrics.url}${running.debug ? `, debug endpoints at ${running.debug.url}/debug/pprof/` : ''}`,
  );

  let stopping: Promise<void> | undefined;
  return {
    config,
    metricsUrl: running.metrics.url,
    debugUrl: running.debug?.url,
    shutdown() {
      stopping ??= teardown(running);
      return stopping;
    },
  };
}
