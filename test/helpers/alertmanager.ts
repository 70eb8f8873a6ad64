import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './metrics.ts';
import { freePort, spawnProcess, type Spawned } from './process.ts';

/** A real Alertmanager (Debian prometheus-alertmanager) on loopback, no clustering, with a temp storage dir. */
export class Alertmanager {
  readonly url: string;
  readonly #process: Spawned;
  readonly #dir: string;

  private constructor(url: string, process: Spawned, dir: string) {
    this.url = url;
    this.#process = process;
    this.#dir = dir;
  }

  static async start(config: string): Promise<Alertmanager> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-alertmanager-'));
    const port = await freePort();
    writeFileSync(join(dir, 'alertmanager.yml'), config);
    const proc = spawnProcess('prometheus-alertmanager', [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
    const am = new Alertmanager(`http://127.0.0.1:${port}`, proc, dir);
    await waitFor(async () => (await fetch(`${am.url}/-/ready`)).ok, 'Alertmanager to be ready', 30_000).catch(async (error: unknown) => {
      await am.stop();
      throw new Error(`${String(error)}\n${proc.output()}`);
    });
    return am;
  }

  output(): string {
    return this.#process.output();
  }

  async stop(): Promise<void> {
    await this.#process.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
