import { createServer } from 'node:http';
import { openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockEventLoop, checkoutBasket, leftPad, logRequest, renderCatalogue, retainBuffer } from './hot-spots.ts';

/**
 * A small left-pad service with real hot spots. It knows nothing of Vigil: start it with
 * `node --import @vigil/sdk/register src/server.ts` to instrument it, or plainly for a baseline.
 */
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const logFd = openSync(process.env.LEFTPAD_LOG ?? join(tmpdir(), `leftpad-${process.pid}.log`), 'a');

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  logRequest(logFd, `${req.method} ${url.pathname}`);
  switch (url.pathname) {
    case '/pad': {
      const length = Math.min(Number(url.searchParams.get('len') ?? 2_000), 100_000);
      const padded = leftPad(url.searchParams.get('s') ?? 'vigil', length, url.searchParams.get('c') ?? ' ');
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${padded.length}\n`);
      return;
    }
    case '/catalogue':
      res.writeHead(200, { 'content-type': 'application/json' }).end(renderCatalogue());
      return;
    case '/remember': {
      const kib = Math.min(Number(url.searchParams.get('kib') ?? 64), 64 * 1024);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${retainBuffer(kib)}\n`);
      return;
    }
    case '/checkout': {
      const items = Math.min(Number(url.searchParams.get('items') ?? 20), 1_000);
      checkoutBasket(items).then(
        (total) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${total.toFixed(2)}\n`),
        () => res.writeHead(500).end(),
      );
      return;
    }
    case '/block': {
      const millis = Math.min(Number(url.searchParams.get('ms') ?? 500), 10_000);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${blockEventLoop(millis)}\n`);
      return;
    }
    case '/healthz':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
});

server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  const { port: bound } = server.address() as { port: number };
  console.log(`leftpad listening on http://${host}:${bound}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
