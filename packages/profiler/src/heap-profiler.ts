import { freemem } from 'node:os';
import { getHeapSnapshot, getHeapStatistics } from 'node:v8';
import type { Readable } from 'node:stream';
import { heap, type SourceMapper } from '@datadog/pprof';
import type { Profile } from 'pprof-format';
import { ErrorCodes, VigilError } from '@vigil/core';
import { fromDatadog } from './datadog-profile.ts';

export interface HeapProfilerOptions {
  /** Average bytes between samples of the sampling heap profiler. */
  intervalBytes: number;
  stackDepth: number;
  /** Allow full V8 heap snapshots (they pause the process and need about twice the heap in free memory). */
  snapshots: boolean;
  sourceMapper?: SourceMapper;
}

/** The sampling heap profiler (cheap, always on) and opt-in heap snapshots. */
export class HeapProfiler {
  readonly #options: HeapProfilerOptions;
  #started = false;

  constructor(options: HeapProfilerOptions) {
    this.#options = options;
  }

  start(): void {
    heap.start(this.#options.intervalBytes, this.#options.stackDepth);
    this.#started = true;
  }

  stop(): void {
    if (this.#started) heap.stop();
    this.#started = false;
  }

  /** In-use heap by allocation site (objects and space), sampled since start. */
  profile(): Profile {
    if (!this.#started) throw new VigilError(ErrorCodes.PROFILER_FAILED, 'the heap profiler is not running');
    return fromDatadog(heap.profile(undefined, this.#options.sourceMapper));
  }

  /** Why a snapshot would be refused now, or undefined when it may be taken. */
  snapshotRefusal(): VigilError | undefined {
    if (!this.#options.snapshots) {
      return new VigilError(
        ErrorCodes.HEAP_SNAPSHOT_DISABLED,
        'heap snapshots are disabled: they pause the process; enable them with VIGIL_HEAP_SNAPSHOTS=on',
      );
    }
    const used = getHeapStatistics().used_heap_size;
    const free = freemem();
    if (free < 2 * used) {
      const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
      return new VigilError(
        ErrorCodes.HEAP_SNAPSHOT_LOW_MEMORY,
        `heap snapshot refused: ${mib(free)} free is under twice the ${mib(used)} heap in use`,
      );
    }
    return undefined;
  }

  /** A V8 heap snapshot as a stream (`.heapsnapshot`, open it in Chrome DevTools). Throws when refused. */
  snapshot(): Readable {
    const refusal = this.snapshotRefusal();
    if (refusal) throw refusal;
    return getHeapSnapshot();
  }
}
