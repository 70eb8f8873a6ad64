import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { waitFor } from './metrics.ts';
import { Daemon } from './daemon.ts';

/** A real Prometheus (the Debian package) on a free loopback port with a temporary storage directory. */
export class Prometheus extends Daemon {
  static async start(config: string): Promise<Prometheus> {
    const { url, dir, process } = await Daemon.launch('prometheus', 'prometheus.yml', config, (d, port) => [
      `--config.file=${join(d, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(d, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
    ]);
    return new Prometheus(url, dir, process);
  }

  /** An instant PromQL query; the result vector. */
  async query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data.result;
  }

  /** Waits until a query returns at least one series. */
  queryUntilPresent(promql: string, timeoutMillis = 30_000) {
    return waitFor(
      async () => {
        const result = await this.query(promql);
        return result.length > 0 ? result : undefined;
      },
      `series for ${promql}`,
      timeoutMillis,
    );
  }
}

/** `promtool check metrics` on an exposition: exit code and what it printed. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
