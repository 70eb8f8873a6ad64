import type { MetricNames } from '@vigil/core';

export interface HeapNames {
  used: string;
  total: string;
  limit: string;
  external: string;
  arrayBuffers: string;
  spaceUsed: string;
  spaceSize: string;
  spaceAvailable: string;
  spacePhysical: string;
  spaceAttribute: string;
  /** prom-client drops the `_space` suffix (`new_space` -> `new`); semantic conventions keep it. */
  spaceValue: (v8Name: string) => string;
  gcDuration: string;
  gcAttribute: string;
  gcBuckets: number[];
  growthRate: string;
}

const OTEL: HeapNames = {
  used: 'v8js.heap.used',
  total: 'v8js.heap.size',
  limit: 'v8js.heap.limit',
  external: 'v8js.memory.external',
  arrayBuffers: 'v8js.memory.array_buffers',
  spaceUsed: 'v8js.memory.heap.used',
  spaceSize: 'v8js.memory.heap.limit',
  spaceAvailable: 'v8js.memory.heap.space.available_size',
  spacePhysical: 'v8js.memory.heap.space.physical_size',
  spaceAttribute: 'v8js.heap.space.name',
  spaceValue: (name) => name,
  gcDuration: 'v8js.gc.duration',
  gcAttribute: 'v8js.gc.type',
  gcBuckets: [0.01, 0.1, 1, 10],
  growthRate: 'vigil.heap.growth_rate',
};

const PROM_CLIENT: HeapNames = {
  used: 'nodejs_heap_size_used_bytes',
  total: 'nodejs_heap_size_total_bytes',
  limit: 'nodejs_heap_size_limit_bytes',
  external: 'nodejs_external_memory_bytes',
  arrayBuffers: 'nodejs_array_buffers_bytes',
  spaceUsed: 'nodejs_heap_space_size_used_bytes',
  spaceSize: 'nodejs_heap_space_size_total_bytes',
  spaceAvailable: 'nodejs_heap_space_size_available_bytes',
  spacePhysical: 'nodejs_heap_space_size_physical_bytes',
  spaceAttribute: 'space',
  spaceValue: (name) => name.replace(/_space$/, ''),
  gcDuration: 'nodejs_gc_duration_seconds',
  gcAttribute: 'kind',
  gcBuckets: [0.001, 0.01, 0.1, 1, 2, 5],
  growthRate: 'vigil_heap_growth_bytes_per_second',
};

export function heapNames(names: MetricNames): HeapNames {
  return names === 'prom-client' ? PROM_CLIENT : OTEL;
}
