import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { ClusterHub, ClusterMember } from './cluster-hub.ts';
import { escapeLabelValue, mergeExpositions, type LabelledExposition } from './exposition-merge.ts';
import { sendError } from '@vigil/debug-server';

/** The label that tells the processes of a cluster apart in the primary's /metrics. */
export const WORKER_LABEL = 'cluster_worker';

/** A worker slower than this to answer is left out of the scrape (Prometheus's default scrape timeout is 10 s). */
const MEMBER_TIMEOUT_MILLIS = 5_000;

export interface MetricsSource {
  getMetricsRequestHandler(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * The primary's /metrics: its own exposition alone while no worker runs Vigil, otherwise its own and every
 * worker's, merged, each series labelled `cluster_worker` (the worker id, `primary` for the primary itself), plus
 * `vigil_cluster_worker_up` per worker: 1 when its metrics were read in this scrape, with its pid and debug URL.
 */
export function clusterMetrics(
  exporter: PrometheusExporter,
  hub: ClusterHub,
  reportError: (error: unknown, what: string) => void,
): MetricsSource {
  return {
    getMetricsRequestHandler(req, res) {
      const members = hub.members();
      if (members.length === 0) {
        exporter.getMetricsRequestHandler(req, res);
        return;
      }
      aggregate(exporter, members, reportError).then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        (error: unknown) => {
          reportError(error, 'merging the cluster metrics');
          sendError(res, 500, 'cannot merge the cluster metrics');
        },
      );
    },
  };
}

async function aggregate(
  exporter: PrometheusExporter,
  members: readonly ClusterMember[],
  reportError: (error: unknown, what: string) => void,
): Promise<string> {
  const [own, ...texts] = await Promise.all([
    exporterText(exporter),
    ...members.map((m) =>
      fetchText(m.metricsUrl).catch((error: unknown) => {
        reportError(error, `reading the metrics of cluster worker ${m.workerId} (pid ${m.pid})`);
        return undefined;
      }),
    ),
  ]);
  const parts: LabelledExposition[] = [{ labels: { [WORKER_LABEL]: 'primary' }, text: own }];
  members.forEach((m, i) => {
    const text = texts[i];
    if (text !== undefined) parts.push({ labels: { [WORKER_LABEL]: String(m.workerId) }, text });
  });
  const up = [
    '# HELP vigil_cluster_worker_up Whether the metrics of a cluster worker running Vigil were read in this scrape (1) or not (0), with its pid and debug server URL.',
    '# TYPE vigil_cluster_worker_up gauge',
    ...members.map((m, i) => {
      const labels = `${WORKER_LABEL}="${m.workerId}",process_pid="${m.pid}",debug_url="${escapeLabelValue(m.debugUrl ?? '')}"`;
      return `vigil_cluster_worker_up{${labels}} ${texts[i] === undefined ? 0 : 1}`;
    }),
  ].join('\n');
  return `${mergeExpositions(parts)}${up}\n`;
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(MEMBER_TIMEOUT_MILLIS) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.text();
}

/**
 * The exporter's own exposition as text. Its request handler is the only public way to run its serializer with the
 * options it was built with; it sets a status and a header and calls `end(text)`, which is all this stands in for.
 */
export function exporterText(exporter: PrometheusExporter): Promise<string> {
  return new Promise((resolve) => {
    const sink = {
      statusCode: 200,
      setHeader: () => sink,
      end: (text?: string) => {
        resolve(text ?? '');
        return sink;
      },
    };
    exporter.getMetricsRequestHandler({} as IncomingMessage, sink as unknown as ServerResponse);
  });
}
