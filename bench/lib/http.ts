// Ports, GETs and the server process's lifecycle.
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOST = '127.0.0.1';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, HOST, ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

export interface Response {
  status: number;
  body: string;
  ms: number;
}

export function get(port: number, path: string, timeoutMs = 5_000): Promise<Response> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const req = request({ host: HOST, port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        ok({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }),
      );
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', fail);
    req.end();
  });
}

export async function waitFor(port: number, path: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    if (server.exitCode !== null)
      throw new Error(`server exited with ${server.exitCode} before serving ${path}:\n${output()}`);
    try {
      if ((await get(port, path, 1_000)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline)
      throw new Error(`server did not serve ${path} on port ${port} within 20 s:\n${output()}`);
    await sleep(50);
  }
}

export async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((ok) => server.once('exit', () => ok()));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
