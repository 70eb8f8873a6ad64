import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './metrics.ts';
import { freePort, spawnProcess, type Spawned } from './process.ts';

/**
 * A server from a Debian package (Prometheus, Alertmanager) run for a test: a temp dir with its config, a free
 * loopback port, ready when `/-/ready` answers; `stop()` kills it and removes the dir.
 */
export class Daemon {
  readonly url: string;
  readonly dir: string;
  readonly #process: Spawned;

  protected constructor(url: string, dir: string, process: Spawned) {
    this.url = url;
    this.dir = dir;
    this.#process = process;
  }

  protected static async launch(
    name: string,
    configFile: string,
    config: string,
    args: (dir: string, port: number) => string[],
  ): Promise<{ url: string; dir: string; process: Spawned }> {
    const dir = mkdtempSync(join(tmpdir(), `vigil-${name}-`));
    const port = await freePort();
    writeFileSync(join(dir, configFile), config);
    const url = `http://127.0.0.1:${port}`;
    const proc = spawnProcess(name, args(dir, port));
    try {
      await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, `${name} to be ready`, 30_000);
    } catch (error) {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${String(error)}\n${proc.output()}`, { cause: error });
    }
    return { url, dir, process: proc };
  }

  output(): string {
    return this.#process.output();
  }

  async stop(): Promise<void> {
    await this.#process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
