import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Meter } from '@opentelemetry/api';
import type { HeapNames } from '../semconv.ts';
import type { HeapGrowth } from '../heap-growth.ts';
import type { Guard } from '@vigil/core';

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * GC pauses by kind, and heap used after each major GC for the growth trend. Node hands GC entries to the observer
 * in batches: every entry of the batch is recorded (reading only the first loses a fifth of the pauses).
 */
export function observeGc(meter: Meter, names: HeapNames, growth: HeapGrowth, guard: Guard): () => void {
  const histogram = meter.createHistogram(names.gcDuration, {
    unit: 's',
    description: 'Garbage collection pauses, by kind.',
    advice: { explicitBucketBoundaries: names.gcBuckets },
  });
  const observer = new PerformanceObserver(
    guard((list) => {
      let sawMajor = false;
      for (const entry of list.getEntries()) {
        const kind = KINDS[gcKind(entry)] ?? 'unknown';
        histogram.record(entry.duration / 1e3, { [names.gcAttribute]: kind });
        if (kind === 'major') sawMajor = true;
      }
      if (sawMajor) growth.record(performance.now(), getHeapStatistics().used_heap_size);
    }, 'GC observer'),
  );
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

function gcKind(entry: PerformanceEntry): number {
  return ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind ?? -1;
}
