import { createServer } from 'node:http';
import { startHeartbeat } from './heartbeat.ts';

/** Run with `VIGIL_TRACK_HANDLES=on node --import @vigil/sdk/register src/server.ts`; GET /session leaks a timer. */
const port = Number(process.env.PORT ?? 8082);
let sessions = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/session') {
    startHeartbeat(`session-${++sessions}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${sessions}\n`);
    return;
  }
  res.writeHead(url.pathname === '/healthz' ? 200 : 404).end();
});
server.listen(port, '127.0.0.1', () =>
  console.log(`handle-leak listening on http://127.0.0.1:${(server.address() as { port: number }).port}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
