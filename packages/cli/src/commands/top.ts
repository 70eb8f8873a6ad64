import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeProfile, filterByLabel, formatTop, topTable } from '@vigil/pprof';
import { CliError } from '../cli-error.ts';
import type { CaptureSource } from '../source.ts';

/** `vigil top FILE|ID [--trace ID] [--sample-index T] [-n N]`: `go tool pprof -top`, for users without Go. */
export async function topCommand(source: CaptureSource | undefined, target: string, options: { trace?: string; sampleIndex?: string; count?: number }): Promise<string> {
  let bytes: Buffer;
  if (existsSync(target)) bytes = await readFile(target);
  else if (source !== undefined) bytes = await source.fetch(target, options.trace);
  else throw new CliError(`${target}: no such file (give --url or --store to read a capture by id)`);
  let profile = await decodeProfile(bytes);
  if (options.trace !== undefined && existsSync(target)) {
    profile = filterByLabel(profile, 'trace_id', options.trace);
    if (profile.sample.length === 0) throw new CliError(`${target} has no samples of trace ${options.trace}`);
  }
  try {
    return formatTop(topTable(profile, options.sampleIndex), options.count ?? 20);
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
}
