import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MetricsSource } from './cluster/cluster-metrics.ts';
import { ErrorCodes, VigilError } from '@vigil/core';
import { DEFAULT_HTTP_LIMITS, answerProtocolErrors, httpServerOptions, missingHost, type HttpLimits } from '@vigil/debug-server';

export interface MetricsServerOptions {
  /** Counts a failure of the exporter's handler (answered 500). */
  reportError?: (error: unknown, what: string) => void;
  limits?: HttpLimits;
}

/**
 * Serves `/metrics` from the Prometheus exporter on a server Vigil owns, so that a failure to listen (a port in use)
 * rejects `start()` with a clear error instead of being logged later. The server is unref'd: it never keeps the
 * process alive by itself. Slow clients are cut at the headers timeout, and every answer is `no-store` with a
 * one-line reason on errors, as on the debug server.
 */
export async function listenMetrics(
  exporter: MetricsSource,
  host: string,
  port: number,
  field: string,
  options: MetricsServerOptions = {},
): Promise<{ server: Server; url: string }> {
  const limits = options.limits ?? DEFAULT_HTTP_LIMITS;
  const server = createServer(httpServerOptions(limits), (req, res) => {
    try {
      serve(exporter, req, res);
    } catch (error) {
      options.reportError?.(error, 'serving /metrics');
      if (!res.headersSent) answer(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5_000;
  answerProtocolErrors(server, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message;
      reject(
        new VigilError(
          ErrorCodes.METRICS_LISTEN,
          `${field}: cannot serve metrics on ${host}:${port}: ${reason}; expected a free port (or 0 to pick one)`,
          { field, value: port, expected: 'a free TCP port', cause: error },
        ),
      );
    });
    // `exclusive`: in a cluster worker, bind the port itself rather than share one through the primary.
    server.listen({ port, host, exclusive: true }, () => resolve());
  });
  server.unref();
  const address = server.address() as { port: number };
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shownHost}:${address.port}/metrics` };
}

function serve(exporter: MetricsSource, req: IncomingMessage, res: ServerResponse): void {
  const noHost = missingHost(req);
  if (noHost !== undefined) return answer(res, 400, noHost);
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return answer(res, 404, 'not found: metrics are at /metrics');
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, `${String(req.method)} is not allowed; use GET`, { allow: 'GET, HEAD' });
  res.setHeader('cache-control', 'no-store'); // kept: the exporter sets only its content type
  exporter.getMetricsRequestHandler(req, res);
}

function answer(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  const body = `${reason}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...headers });
  res.end(body);
}
