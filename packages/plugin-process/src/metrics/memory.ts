import type { Meter } from '@opentelemetry/api';
import type { Guard } from '@vigil/core';
import { memoryStatus } from '../proc-fs.ts';
import type { ProcessNames } from '../semconv.ts';

/** Resident and virtual memory of the process (and its data segment, under prom-client's `process_heap_bytes`). */
export function collectMemory(meter: Meter, names: ProcessNames, guard: Guard): void {
  const gauge = (name: string, description: string) => meter.createObservableGauge(name, { unit: 'By', description });
  const rss = gauge(names.rss, 'Resident set size of the process.');
  const virtual = gauge(names.virtual, 'Virtual memory size of the process.');
  const heap = names.heapBytes === undefined ? undefined : gauge(names.heapBytes, 'Process heap (data segment) size.');
  meter.addBatchObservableCallback(
    guard((result) => {
      result.observe(rss, process.memoryUsage.rss());
      const status = memoryStatus();
      if (status === undefined) return;
      result.observe(virtual, status.virtual);
      if (heap !== undefined) result.observe(heap, status.heap);
    }, 'memory collection'),
    heap === undefined ? [rss, virtual] : [rss, virtual, heap],
  );
}
