import type { SourceMapper } from '@datadog/pprof';
import { heap } from './datadog.ts';
import type { Profile } from 'pprof-format';
import { ErrorCodes, VigilError } from '@vigil/core';
import { fromDatadog } from './datadog-profile.ts';

export interface HeapProfilerOptions {
  /** Average bytes between samples of the sampling heap profiler. */
  intervalBytes: number;
  stackDepth: number;
  sourceMapper?: SourceMapper;
}

/** The sampling heap profiler (cheap: on from start when profiling is on, from the first capture otherwise). */
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
}
