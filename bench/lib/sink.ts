// The pyroscope sink: answers 200 to anything, reads and discards the body, counts requests and bytes.
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST } from './http.ts';

export const sink = { url: '', requests: 0, bytes: 0, close: async () => {} };

export async function startSink(): Promise<void> {
  const server = createHttpServer((req, res) => {
    sink.requests++;
    req.on('data', (chunk: Buffer) => (sink.bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
  });
  await new Promise<void>((ok) => server.listen(0, HOST, ok));
  sink.url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  sink.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
}
