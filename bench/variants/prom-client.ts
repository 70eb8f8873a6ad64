/**
 * Bench variant: prom-client's default metrics, served at /metrics on BENCH_METRICS_HOST:BENCH_METRICS_PORT the way
 * its README shows (`register.metrics()` on a node:http server). Preloaded with `--import`.
 */
import { createServer } from 'node:http';
import client from 'prom-client';

client.collectDefaultMetrics();

const server = createServer((req, res) => {
  if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  client.register.metrics().then(
    (body) => res.writeHead(200, { 'content-type': client.register.contentType }).end(body),
    (error: unknown) => res.writeHead(500).end(String(error)),
  );
});
server.listen(Number(process.env.BENCH_METRICS_PORT ?? 9464), process.env.BENCH_METRICS_HOST ?? '127.0.0.1');
server.unref();
