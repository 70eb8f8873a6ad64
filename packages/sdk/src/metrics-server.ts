import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { MetricsSource } from './cluster/cluster-metrics.ts';
import { ErrorCodes, VigilError } from '@vigil/core';
import {
  DEFAULT_HTTP_LIMITS,
  httpServerOptions,
  listen,
  missingHost,
  sendError,
  type HttpLimits,
  type ListeningServer,
} from '@vigil/debug-server';

export interface MetricsServerOptions {
  /** Counts a failure of the exporter's handler (answered 500). */
  reportError?: (error: unknown, what: string) => void;
  limits?: HttpLimits;
}

/** The `/metrics` server: its address in words, and how to close it. */
export interface MetricsServer extends ListeningServer {
  readonly url: string;
}

/**
 * Serves `/metrics` from the Prometheus exporter on a server Vigil owns (see `listen()`: a port in use rejects
 * `start()`, the server never keeps the process alive). Slow clients are cut at the headers timeout, and every answer
 * is `no-store` with a one-line reason on errors, as on the debug server.
 */
export async function listenMetrics(
  exporter: MetricsSource,
  host: string,
  port: number,
  field: string,
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const limits = options.limits ?? DEFAULT_HTTP_LIMITS;
  const server = createServer(httpServerOptions(limits), (req, res) => {
    try {
      serve(exporter, req, res);
    } catch (error) {
      options.reportError?.(error, 'serving /metrics');
      sendError(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const listening = await listen(
    server,
    { host, port },
    {
      limits,
      what: 'metrics server',
      reportError: options.reportError,
      refuse: (reason, cause) =>
        new VigilError(
          ErrorCodes.METRICS_LISTEN,
          `${field}: cannot serve metrics on ${host}:${port}: ${reason}; expected a free port (or 0 to pick one)`,
          { field, value: port, expected: 'a free TCP port', cause },
        ),
    },
  );
  return { ...listening, url: `http://${listening.authority}/metrics` };
}

function serve(exporter: MetricsSource, req: IncomingMessage, res: ServerResponse): void {
  const noHost = missingHost(req);
  if (noHost !== undefined) return sendError(res, 400, noHost);
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return sendError(res, 404, 'not found: metrics are at /metrics');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendError(res, 405, `${String(req.method)} is not allowed; use GET`, { allow: 'GET, HEAD' });
  res.setHeader('cache-control', 'no-store'); // kept: the exporter sets only its content type
  exporter.getMetricsRequestHandler(req, res);
}
