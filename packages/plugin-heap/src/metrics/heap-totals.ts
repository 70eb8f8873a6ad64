import { getHeapStatistics } from 'node:v8';
import type { Meter } from '@opentelemetry/api';
import type { HeapNames } from '../semconv.ts';
import type { Guard } from '@vigil/core';

/** Whole-heap figures: used, total, the limit the process will die at, external and array-buffer memory. */
export function collectHeapTotals(meter: Meter, names: HeapNames, guard: Guard): void {
  const gauge = (name: string, description: string) => meter.createObservableGauge(name, { unit: 'By', description });
  const used = gauge(names.used, 'V8 heap in use.');
  const total = gauge(names.total, 'V8 heap reserved (total heap size).');
  const limit = gauge(names.limit, 'V8 heap size limit: the process runs out of memory near this.');
  const external = gauge(names.external, 'Memory of C++ objects bound to JavaScript objects, managed by V8.');
  const arrayBuffers = gauge(names.arrayBuffers, 'Memory allocated for ArrayBuffers and SharedArrayBuffers.');

  meter.addBatchObservableCallback(
    guard((result) => {
      const heap = getHeapStatistics();
      const memory = process.memoryUsage();
      result.observe(used, heap.used_heap_size);
      result.observe(total, heap.total_heap_size);
      result.observe(limit, heap.heap_size_limit);
      result.observe(external, memory.external);
      result.observe(arrayBuffers, memory.arrayBuffers);
    }, 'heap totals collection'),
    [used, total, limit, external, arrayBuffers],
  );
}
