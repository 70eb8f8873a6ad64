import { freemem } from 'node:os';
import type { Readable } from 'node:stream';
import { getHeapSnapshot, getHeapStatistics } from 'node:v8';
import { ErrorCodes, VigilError } from '@vigil/core';

/** Opt-in V8 heap snapshots (they pause the process and need about twice the heap in free memory). Node only, no addon. */
export class HeapSnapshots {
  readonly #enabled: boolean;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Why a snapshot would be refused now, or undefined when it may be taken. */
  snapshotRefusal(): VigilError | undefined {
    if (!this.#enabled) {
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
