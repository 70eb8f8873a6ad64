import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeProfile, filterByLabel, type Profile } from '@vigil/pprof';
import type { CaptureMetadata } from '@vigil/store';
import { CliError } from './cli-error.ts';
import type { CaptureSource } from './source.ts';

export interface LoadedProfile {
  /** The capture id, or the file's name. */
  name: string;
  /** The pprof bytes as read (only the trace's samples with --trace). */
  bytes: Buffer;
  profile: Profile;
  /** The capture's metadata: from the source for an id, from `<id>.json` beside a stored file. */
  metadata?: CaptureMetadata;
}

/** A profile named on the command line: a pprof file, or a capture id read from `--url` / `--store`. */
export async function loadProfile(
  source: CaptureSource | undefined,
  target: string,
  traceId?: string,
): Promise<LoadedProfile> {
  if (existsSync(target)) {
    let bytes = await readFile(target);
    let profile = await decodeProfile(bytes);
    if (traceId !== undefined) {
      profile = filterByLabel(profile, 'trace_id', traceId);
      if (profile.sample.length === 0) throw new CliError(`${target} has no samples of trace ${traceId}`);
      bytes = Buffer.from(profile.encode());
    }
    return { name: basename(target), bytes, profile, metadata: await siblingMetadata(target) };
  }
  if (source === undefined)
    throw new CliError(`${target}: no such file (give --url or --store to read a capture by id)`);
  const [bytes, metadata] = await Promise.all([source.fetch(target, traceId), source.metadata(target)]);
  return { name: target, bytes, profile: await decodeProfile(bytes), metadata };
}

/** A store's `<id>.pb.gz` has its metadata in `<id>.json` beside it. */
async function siblingMetadata(file: string): Promise<CaptureMetadata | undefined> {
  const json = file.replace(/\.pb(\.gz)?$/, '.json');
  if (json === file || !existsSync(json)) return undefined;
  try {
    return JSON.parse(await readFile(json, 'utf8')) as CaptureMetadata;
  } catch {
    return undefined;
  }
}
