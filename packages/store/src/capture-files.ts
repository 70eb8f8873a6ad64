import { parseCaptureKey, type CapturePart } from './capture-keys.ts';
import type { BlobEntry } from './internal-types.ts';

/** The files of one capture id found by a listing. */
export interface CaptureFiles {
  id: string;
  parts: Partial<Record<CapturePart, BlobEntry>>;
}

/** Groups a listing of `captures/` by capture id (sorted, oldest first); keys that are not the store's are `foreign`. */
export function groupCaptureFiles(entries: readonly BlobEntry[]): { captures: CaptureFiles[]; foreign: BlobEntry[] } {
  const byId = new Map<string, CaptureFiles>();
  const foreign: BlobEntry[] = [];
  for (const entry of entries) {
    const parsed = parseCaptureKey(entry.key);
    if (parsed === undefined) {
      foreign.push(entry);
      continue;
    }
    let files = byId.get(parsed.id);
    if (files === undefined) byId.set(parsed.id, (files = { id: parsed.id, parts: {} }));
    files.parts[parsed.part] = entry;
  }
  const captures = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { captures, foreign };
}

/** The stored data of a capture (profile or heap snapshot). */
export function dataOf(files: CaptureFiles): BlobEntry | undefined {
  return files.parts.data ?? files.parts.snapshot;
}

/** The newest modification among a capture's files: how long ago its writer last touched it. */
export function lastTouched(files: CaptureFiles): number {
  return Math.max(...Object.values(files.parts).map((e) => e.modifiedMillis));
}
