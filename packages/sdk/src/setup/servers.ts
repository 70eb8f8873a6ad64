import type { DiagLogger } from '@opentelemetry/api';
import type { PluginHost } from '@vigil/core';
import { startDebugServer, type DebugServer } from '@vigil/debug-server';
import { CapturesCapability, ProfilerCapability } from '@vigil/profiler';
import { TriggersCapability } from '@vigil/triggers';
import type { ClusterStep } from '../cluster/cluster-step.ts';
import { listenMetrics, type MetricsServer } from '../metrics-server.ts';
import type { Telemetry } from '../telemetry.ts';

/** `/metrics`, where the cluster role says (before the plugins start: a port in use fails start() at once). */
export function serveMetrics(
  cluster: ClusterStep,
  telemetry: Telemetry,
  portField: string,
  host: PluginHost,
): Promise<MetricsServer> {
  const metrics = cluster.metricsSource(telemetry.exporter, (error, what) => host.reportError('cluster', error, what));
  return listenMetrics(metrics, cluster.metricsHost, cluster.metricsPort, portField, {
    reportError: (error, what) => host.reportError('metrics-server', error, what),
  });
}

/** The debug endpoints, unless `VIGIL_DEBUG_ADDR=off`; after the plugins start, since they serve their capabilities. */
export async function serveDebug(
  cluster: ClusterStep,
  host: PluginHost,
  log: DiagLogger,
): Promise<DebugServer | undefined> {
  if (cluster.debugOptions === undefined) return undefined;
  return startDebugServer(cluster.debugOptions, {
    profiler: host.use(ProfilerCapability),
    captures: host.use(CapturesCapability),
    triggers: host.use(TriggersCapability),
    diag: log,
    reportError: (error, what) => host.reportError('debug-server', error, what),
  });
}
