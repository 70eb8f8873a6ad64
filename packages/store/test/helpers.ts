// Shared arrange steps of the store tests: temp directories and captures with made-up data.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { captureId } from '@vigil/core';
import type { CaptureMetadata, CaptureStore, TraceRef } from '@vigil/store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  dirs.push(dir);
  return dir;
}

export const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

export function meta(at = new Date(), extra: Partial<CaptureMetadata> = {}) {
  const iso = at.toISOString();
  return {
    id: captureId(at),
    type: 'cpu' as const,
    service: 's',
    host: 'h',
    pid: 1,
    startedAt: iso,
    endedAt: iso,
    reason: { kind: 'manual' as const },
    samples: 3,
    format: 'pprof' as const,
    ...extra,
  };
}

export async function put(
  store: CaptureStore,
  traces: TraceRef[] = [],
  at = new Date(),
  extra: Partial<CaptureMetadata> = {},
  size = 100,
) {
  return store.put(meta(at, extra), randomBytes(size), traces);
}

/** The day directory of a capture in a filesystem store. */
export function dayOf(dir: string, id: string): string {
  return join(dir, 'captures', id.slice(0, 4), id.slice(4, 6), id.slice(6, 8));
}
