import { GCProfiler, type GCProfilerResult } from 'node:v8';
import type { Meter } from '@opentelemetry/api';
import type { HeapNames } from '../semconv.ts';
import type { HeapGrowth } from '../heap-growth.ts';
import type { Guard } from '@vigil/core';

/** V8's GC types, as `GCProfiler` names them, by the kind the metric's attribute says. */
const KINDS: Record<string, string> = {
  MarkSweepCompact: 'major',
  Scavenge: 'minor',
  MinorMarkSweep: 'minor',
  IncrementalMarking: 'incremental',
  ProcessWeakCallbacks: 'weakcb',
};

/** How often the pauses are read when no collection reads them sooner: what V8 holds for them meanwhile is bounded. */
const DRAIN_MILLIS = 1_000;

/** GC pauses, read from V8 in batches: `drain()` records every pause since the last one. */
export interface GcPauses {
  drain(): void;
  stop(): void;
}

/**
 * GC pauses by kind, and heap used after each major GC for the growth trend, read through `v8.GCProfiler`: V8 notes
 * each pause in native memory, and `drain()` (at every collection, and every second otherwise) records the batch.
 * A `PerformanceObserver` of `gc` entries would make JS objects for every pause, inside the GC's callbacks; under load
 * those outlived the next scavenge (about 9 KiB per scavenge, against 4–5 KiB this way in the same test), which is
 * what makes V8 grow the young generation sooner.
 */
export function observeGc(meter: Meter, names: HeapNames, growth: HeapGrowth, guard: Guard): GcPauses {
  const histogram = meter.createHistogram(names.gcDuration, {
    unit: 's',
    description: 'Garbage collection pauses, by kind.',
    advice: { explicitBucketBoundaries: names.gcBuckets },
  });
  let profiler: GCProfiler | undefined = new GCProfiler();
  profiler.start();
  const record = (result: GCProfilerResult) => {
    let majorUsed: number | undefined;
    for (const gc of result.statistics) {
      const kind = KINDS[gc.gcType] ?? 'unknown';
      histogram.record(gc.cost / 1e6, { [names.gcAttribute]: kind });
      if (kind === 'major') majorUsed = gc.afterGC.heapStatistics.usedHeapSize;
    }
    // The batch's last major GC stands for it: within a second, one point of the trend is as good as several.
    if (majorUsed !== undefined) growth.record(performance.now(), majorUsed);
  };
  const drain = guard(() => {
    if (profiler === undefined) return;
    const next = new GCProfiler(); // made before the switch, so that no allocation falls between stop and start
    const result = profiler.stop();
    next.start();
    profiler = next;
    record(result);
  }, 'GC pauses');
  const timer = setInterval(drain, DRAIN_MILLIS);
  timer.unref();
  return {
    drain,
    stop() {
      clearInterval(timer);
      profiler?.stop();
      profiler = undefined;
    },
  };
}
