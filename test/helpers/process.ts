import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { waitFor } from './metrics.ts';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** A free loopback port, found by binding port 0 and releasing it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  waitForOutput(pattern: RegExp, what?: string, timeoutMillis?: number): Promise<RegExpMatchArray>;
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Spawns a process with stdout and stderr captured together; `stop()` kills it and waits for the exit. */
export function spawnProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    // Spawned apps get a free debug port unless a test picks one (parallel tests must not race for 6060), and no
    // default trigger rules unless a test asks: a default rule's capture would hold the profiler a test is using.
    env: { ...process.env, VIGIL_DEBUG_ADDR: '127.0.0.1:0', VIGIL_DEFAULT_RULES: 'off', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitForOutput: (pattern, what = String(pattern), timeoutMillis = 20_000) =>
      waitFor(
        () => output.match(pattern),
        `${what} in the output of ${command} ${args.join(' ')}:\n${output}`,
        timeoutMillis,
      ),
    exited: () => exit,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** Node with the repo's TypeScript sources resolvable (the `source` condition; Node strips the types). */
export function spawnNode(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Spawned {
  return spawnProcess(process.execPath, ['--conditions=source', ...args], options);
}
