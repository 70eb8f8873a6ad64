import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { waitFor } from './metrics.ts';
import { freePort, spawnProcess, type Spawned } from './process.ts';

/** A real Prometheus (the Debian package) on a free loopback port with a temporary storage directory. */
export class Prometheus {
  readonly url: string;
  readonly #process: Spawned;
  readonly #dir: string;

  private constructor(url: string, process: Spawned, dir: string) {
    this.url = url;
    this.#process = process;
    this.#dir = dir;
  }

  static async start(config: string): Promise<Prometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
    const port = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), config);
    const url = `http://127.0.0.1:${port}`;
    const proc = spawnProcess('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
    ]);
    const prometheus = new Prometheus(url, proc, dir);
    await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, 'Prometheus to be ready', 30_000).catch(async (error: unknown) => {
      await prometheus.stop();
      throw new Error(`${String(error)}\n${proc.output()}`);
    });
    return prometheus;
  }

  /** An instant PromQL query; the result vector. */
  async query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data.result;
  }

  /** Waits until a query returns at least one series. */
  queryUntilPresent(promql: string, timeoutMillis = 30_000) {
    return waitFor(async () => {
      const result = await this.query(promql);
      return result.length > 0 ? result : undefined;
    }, `series for ${promql}`, timeoutMillis);
  }

  async stop(): Promise<void> {
    await this.#process.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** `promtool check metrics` on an exposition: exit code and what it printed. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
