import { createServer } from 'node:http';
import { recordVisit } from './visits-cache.ts';

/** Run with `node --import @vigil/sdk/register src/server.ts`; GET /visit?user=ada leaks a little on every call. */
const port = Number(process.env.PORT ?? 8081);
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/visit') {
    const shown = recordVisit(
      url.searchParams.get('user') ?? 'anonymous',
      url.pathname,
      req.headers['user-agent'] ?? 'unknown',
    );
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${shown}\n`);
    return;
  }
  res.writeHead(url.pathname === '/healthz' ? 200 : 404).end();
});
server.listen(port, '127.0.0.1', () =>
  console.log(`leaky-cache listening on http://127.0.0.1:${(server.address() as { port: number }).port}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
