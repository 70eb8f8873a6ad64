import { formatTop, formatWhatChanged, topTable } from '@vigil/pprof';
import { CliError } from '../cli-error.ts';
import { loadProfile } from '../load-profile.ts';
import type { CaptureSource } from '../source.ts';

/**
 * `vigil top FILE|ID [--trace ID] [--sample-index T] [-n N]`: `go tool pprof -top`, for users without Go. A triggered
 * capture's "what changed" comes first: the functions whose share grew against the normal before the incident.
 */
export async function topCommand(
  source: CaptureSource | undefined,
  target: string,
  options: { trace?: string; sampleIndex?: string; count?: number },
): Promise<string> {
  const { profile, metadata } = await loadProfile(source, target, options.trace);
  let table;
  try {
    table = formatTop(topTable(profile, options.sampleIndex), options.count ?? 20);
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
  const changed = metadata?.whatChanged;
  if (changed === undefined || changed.grew.length === 0) return table;
  const seconds = Math.round((Date.parse(changed.baseline.endedAt) - Date.parse(changed.baseline.startedAt)) / 1_000);
  return `What changed (self share of ${changed.sampleType}, against the ${seconds} s before):\n${formatWhatChanged(
    changed,
  )
    .map((l) => `  ${l}`)
    .join('\n')}\n\n${table}`;
}
