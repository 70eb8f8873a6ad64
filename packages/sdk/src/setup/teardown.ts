import type { PluginHost } from '@vigil/core';
import type { DebugServer } from '@vigil/debug-server';
import type { ClusterStep } from '../cluster/cluster-step.ts';
import type { MetricsServer } from '../metrics-server.ts';
import type { Telemetry } from '../telemetry.ts';
import type { Tracing } from '../tracing.ts';

/** What setup has started so far: teardown stops whatever of it there is. */
export interface Running {
  cluster: ClusterStep;
  host: PluginHost;
  telemetry: Telemetry;
  metrics?: MetricsServer;
  debug?: DebugServer;
  tracing?: Tracing;
}

/** Stops in the reverse order of setup: spans, the debug server, the plugins, /metrics, then the meter provider. */
export async function teardown(running: Running): Promise<void> {
  running.cluster.close();
  await running.tracing?.shutdown();
  await running.debug?.close();
  await running.host.stop();
  await running.metrics?.close();
  await running.telemetry.shutdown();
}
