import { createServer, type Server } from 'node:http';
import type { MetricsSource } from './cluster/cluster-metrics.ts';
import { ErrorCodes, VigilError } from '@vigil/core';

/**
 * Serves `/metrics` from the Prometheus exporter on a server Vigil owns, so that a failure to listen (a port in use)
 * rejects `start()` with a clear error instead of being logged later. The server is unref'd: it never keeps the
 * process alive by itself.
 */
export async function listenMetrics(
  exporter: MetricsSource,
  host: string,
  port: number,
  field: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
  });
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
