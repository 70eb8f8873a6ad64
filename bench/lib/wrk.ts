// wrk (Debian package) as the load generator, and its report parsed.
import { spawn } from 'node:child_process';
import { HOST } from './http.ts';

export interface WrkLoad {
  threads: number;
  connections: number;
  path: string;
  /** Sent on every request. */
  headers?: Record<string, string>;
}

export interface Wrk {
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  output: string;
}

function toMs(value: string, unit: string): number {
  const scale: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3 };
  return Number(value) * (scale[unit] ?? NaN);
}

export function parseWrk(output: string): Wrk {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)/m.exec(output);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)/m.exec(output);
  if (!total || !rps || !p50 || !p99) throw new Error(`cannot parse wrk output:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(total[1]),
    seconds: toMs(total[2]!, total[3]!) / 1e3,
    reqPerSec: Number(rps[1]),
    p50Ms: toMs(p50[1]!, p50[2]!),
    p99Ms: toMs(p99[1]!, p99[2]!),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    output,
  };
}

export function wrk(port: number, seconds: number, load: WrkLoad): Promise<Wrk> {
  const argv = [
    `-t${load.threads}`,
    `-c${load.connections}`,
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(load.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    `http://${HOST}:${port}${load.path}`,
  ];
  return new Promise((ok, fail) => {
    const child = spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => fail(new Error(`cannot run wrk (${error.message}); install it: apt-get install wrk`)));
    child.on('exit', (code) => {
      if (code !== 0) fail(new Error(`wrk exited with ${code}:\n${output}`));
      else {
        try {
          ok(parseWrk(output));
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
  });
}
