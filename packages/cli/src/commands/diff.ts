import { writeFile } from 'node:fs/promises';
import { diffFlameGraph, diffProfiles, formatDiff } from '@vigil/pprof';
import { renderFlamePage } from '@vigil/debug-server/flame-page';
import { CliError } from '../cli-error.ts';
import { loadProfile } from '../load-profile.ts';
import type { CaptureSource } from '../source.ts';

/**
 * `vigil diff BASE NEW [--normalize] [--sample-index T] [-n N] [-o diff.html]`: the functions whose flat and cumulative
 * values changed most from BASE to NEW; with -o, also a differential flame graph (one offline file).
 */
export async function diffCommand(
  source: CaptureSource | undefined,
  baseTarget: string,
  nextTarget: string,
  options: { trace?: string; sampleIndex?: string; normalize: boolean; count?: number; output?: string },
): Promise<string> {
  const [base, next] = await Promise.all([
    loadProfile(source, baseTarget, options.trace),
    loadProfile(source, nextTarget, options.trace),
  ]);
  const diffOptions = { sampleType: options.sampleIndex, normalize: options.normalize };
  let text: string;
  try {
    text = `Base: ${base.name}\nNew:  ${next.name}\n${formatDiff(diffProfiles(base.profile, next.profile, diffOptions), options.count ?? 15)}`;
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
  if (options.output === undefined) return text;
  const graph = diffFlameGraph(base.profile, next.profile, diffOptions);
  const { html } = renderFlamePage(
    {
      title: `${base.name} → ${next.name}`,
      subtitle: `Base ${base.name}, new ${next.name}${options.normalize ? ', base scaled to the new total (shares compared)' : ''}${options.trace ? `, samples of trace ${options.trace}` : ''}.`,
      graphs: [graph],
      differential: true,
    },
    'inline',
  );
  await writeFile(options.output, html);
  return `${text}\nwrote ${options.output} (${Math.round(Buffer.byteLength(html) / 1024)} KiB)\n`;
}
