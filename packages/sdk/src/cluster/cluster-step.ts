import type { DiagLogger } from '@opentelemetry/api';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { DebugServerOptions } from '@vigil/debug-server';
import type { ClusterHub } from './cluster-hub.ts';
import { announceMember } from './cluster-member.ts';
import { clusterMetrics, type MetricsSource } from './cluster-metrics.ts';
import { clusterRole, type ClusterRole } from './cluster-role.ts';

type ReportError = (error: unknown, what: string) => void;

/** Where this process's servers listen in its cluster role, what serves its /metrics, and its part once started. */
export interface ClusterStep {
  role: ClusterRole;
  metricsHost: string;
  metricsPort: number;
  debugOptions: DebugServerOptions | undefined;
  metricsSource(exporter: PrometheusExporter, reportError: ReportError): MetricsSource;
  /** The servers listen: a worker announces them to its primary. */
  started(metricsUrl: string, debugUrl: string | undefined, reportError: ReportError): void;
  close(): void;
}

/**
 * The cluster step of setup (docs/cluster.md). A worker of a Vigil primary takes free loopback ports and announces
 * them; an instance with no Vigil primary (PM2) takes the configured ports plus its instance number; anything else
 * listens as configured and, with a hub (a primary), serves the metrics of the workers that join.
 */
export function clusterStep(
  config: { metricsHost: string; metricsPort: number },
  debugOptions: DebugServerOptions | undefined,
  hub: ClusterHub | undefined,
  log: DiagLogger,
  role: ClusterRole = clusterRole(),
): ClusterStep {
  let leave: (() => void) | undefined;
  const base = {
    role,
    metricsSource: (exporter: PrometheusExporter, reportError: ReportError): MetricsSource =>
      hub === undefined ? exporter : clusterMetrics(exporter, hub, reportError),
    started(metricsUrl: string, debugUrl: string | undefined, reportError: ReportError) {
      if (role.kind !== 'worker') return;
      leave = announceMember(metricsUrl, debugUrl, reportError);
      log.info(`cluster worker ${role.workerId}: metrics at ${metricsUrl} are served through the primary's endpoint`);
    },
    close() {
      leave?.();
      leave = undefined;
      hub?.close();
    },
  };
  switch (role.kind) {
    case 'worker':
      // Free ports of its own (the servers listen with `exclusive`, so a worker's port is never shared through the
      // primary): the primary's endpoint is the one Prometheus scrapes.
      return {
        ...base,
        metricsHost: '127.0.0.1',
        metricsPort: 0,
        debugOptions: debugOptions && { ...debugOptions, port: 0 },
      };
    case 'instance': {
      const shift = (port: number) => (port === 0 ? 0 : port + role.offset);
      if (role.source === 'cluster.worker.id') {
        log.warn(
          `cluster worker ${role.offset + 1}: the primary does not run Vigil, so this worker serves its metrics on port ` +
            `${shift(config.metricsPort)}; start Vigil in the primary too (node --import @vigil/sdk/register) for one endpoint`,
        );
      }
      return {
        ...base,
        metricsHost: config.metricsHost,
        metricsPort: shift(config.metricsPort),
        debugOptions: debugOptions && { ...debugOptions, port: shift(debugOptions.port) },
      };
    }
    case 'process':
      return { ...base, metricsHost: config.metricsHost, metricsPort: config.metricsPort, debugOptions };
  }
}
