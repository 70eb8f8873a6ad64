// How a variant's server is started: its ports, its command line and its environment (run-once.ts and memory.ts).
import { join } from 'node:path';
import { HOST, freePort } from './http.ts';
import type { Variant } from './types.ts';
import { BENCH_DIR } from './variants.ts';

const SERVER = join(BENCH_DIR, '../examples/leftpad/src/server.ts');

export interface ServerPorts {
  port: number;
  /** Where the variant serves its metrics, when it has any. */
  metricsPort: number | undefined;
  /** A second free port (the debug server's), 0 when the variant has no metrics. */
  sparePort: number;
}

export async function serverPorts(variant: Variant): Promise<ServerPorts> {
  const port = await freePort();
  const metricsPort = variant.metricsEnv ? await freePort() : undefined;
  const sparePort = variant.metricsEnv ? await freePort() : 0;
  return { port, metricsPort, sparePort };
}

export interface ServerExtras {
  /** Node flags before the preloads. */
  flags?: string[];
  /** Preloads before the variant's own. */
  preloads?: string[];
  /** The pyroscope sink's URL, for the variants that push. */
  sinkUrl?: string;
  /** Set last: they override the variant's settings. */
  env?: Record<string, string>;
}

export function serverCommand(
  variant: Variant,
  ports: ServerPorts,
  extras: ServerExtras = {},
): { argv: string[]; env: NodeJS.ProcessEnv } {
  // Without --conditions=source, @vigil/* resolve to their dist/ build, as for an application that installed Vigil;
  // the peers are plain JavaScript either way, and the leftpad server is TypeScript that Node 24 strips in every variant.
  const argv = [
    ...(variant.source ? ['--conditions=source'] : []),
    ...(extras.flags ?? []),
    ...(extras.preloads ?? []).flatMap((preload) => ['--import', preload]),
    ...(variant.preload ? ['--import', variant.preload] : []),
    SERVER,
  ];
  const env = {
    ...process.env,
    PORT: String(ports.port),
    HOST,
    LEFTPAD_LOG: '/dev/null',
    ...(variant.metricsEnv && ports.metricsPort !== undefined
      ? variant.metricsEnv(ports.metricsPort, ports.sparePort)
      : {}),
    ...(variant.env && extras.sinkUrl !== undefined ? variant.env(extras.sinkUrl) : {}),
    ...extras.env,
  };
  return { argv, env };
}
