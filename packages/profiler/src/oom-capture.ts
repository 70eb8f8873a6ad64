import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { gzipSync } from 'node:zlib';
import { heap } from './datadog.ts';
import { captureId } from '@vigil/core';
import type { CaptureMetadata } from '@vigil/store';
import { fromDatadog } from './datadog-profile.ts';

export interface OomCaptureOptions {
  /** The store's location (`file://DIR`, ...): the writer process opens the same store. */
  storeLocation: string;
  serviceName: string;
  onError: (error: unknown, what: string) => void;
}

/** The capture metadata and store the writer process receives on its command line (the profile comes on stdin). */
export interface OomWriterRequest {
  storeLocation: string;
  metadata: Omit<CaptureMetadata, 'bytes' | 'traceCount'>;
}

/**
 * A heap profile written to the store when the heap nears its limit, before V8 aborts the process — after which no
 * JavaScript runs (NOTES: "FATAL ERROR: Reached heap limit"). `@datadog/pprof` extends the limit once, by about one
 * young generation, and calls back with the profile, by interrupt if the app is stuck in synchronous code. An
 * asynchronous store write would need event-loop turns the dying process may not get, so the profile goes, encoded, to
 * a short-lived writer process that the callback waits for (`spawnSync`): while it waits, the app allocates nothing.
 */
export function monitorOutOfMemory(options: OomCaptureOptions): void {
  let taken = false;
  const limit = getHeapStatistics().heap_size_limit; // read before the extension raises it
  heap.monitorOutOfMemory(
    'auto',
    1,
    false,
    [],
    (profile) => {
      if (taken) return; // Both modes may call: once is the capture
      taken = true;
      try {
        const now = new Date().toISOString();
        const data = gzipSync(fromDatadog(profile).encode());
        const request: OomWriterRequest = {
          storeLocation: options.storeLocation,
          metadata: {
            id: captureId(),
            type: 'heap',
            service: options.serviceName,
            host: hostname(),
            pid: process.pid,
            startedAt: now,
            endedAt: now,
            reason: { kind: 'oom', name: 'heap-limit', value: getHeapStatistics().used_heap_size, threshold: limit },
            samples: fromDatadog(profile).sample.length,
            format: 'pprof',
          },
        };
        const result = spawnSync(process.execPath, [...sourceConditions(), writerPath(), JSON.stringify(request)], {
          input: data,
          // The writer must not start Vigil itself (NODE_OPTIONS="--import @vigil/sdk/register"), nor inherit a small heap.
          env: { ...process.env, NODE_OPTIONS: '' },
          stdio: ['pipe', 'ignore', 'pipe'],
          timeout: 30_000,
        });
        if (result.status !== 0)
          throw new Error(
            `the writer process failed (${result.status ?? result.signal}): ${String(result.stderr).trim().split('\n')[0]}`,
          );
      } catch (error) {
        options.onError(error, 'near-heap-limit capture');
      }
    },
    heap.CallbackMode.Both,
  );
}

/** The writer beside this file: `.ts` when run from source (tests), `.js` / `.cjs` when built. */
function writerPath(): string {
  const here = fileURLToPath(import.meta.url);
  return fileURLToPath(new URL(`./oom-writer${extname(here)}`, import.meta.url));
}

/** Run from source, the writer resolves workspace packages through the same `--conditions` as this process. */
function sourceConditions(): string[] {
  return process.execArgv.filter((arg) => arg.startsWith('--conditions') || arg === '--experimental-strip-types');
}
