import { writeFile } from 'node:fs/promises';
import { CliError } from '../cli-error.ts';
import { progress } from '../progress.ts';

/** `vigil profile --seconds N [--lookback M] [-o FILE]`: a CPU profile from a live process, with a progress line. */
export async function profileCommand(
  url: string,
  token: string | undefined,
  options: { seconds: number; lookback?: number; output?: string },
): Promise<string> {
  const query = new URLSearchParams({ seconds: String(options.seconds) });
  if (options.lookback) query.set('lookback', String(options.lookback));
  const bar = progress(`profiling ${url}`, options.seconds);
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}/debug/pprof/profile?${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (error) {
    bar.done('failed');
    throw new CliError(`cannot reach ${url}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  if (!response.ok) {
    bar.done('failed');
    throw new CliError(`${response.status} ${(await response.text()).trim()}`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  const id = response.headers.get('x-vigil-capture-id') ?? 'profile';
  const file = options.output ?? `${id}.pb.gz`;
  await writeFile(file, bytes);
  bar.done(`captured ${id}`);
  return `wrote ${file} (${bytes.length} bytes)\n`;
}
