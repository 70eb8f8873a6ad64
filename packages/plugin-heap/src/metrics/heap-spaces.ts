import { getHeapSpaceStatistics } from 'node:v8';
import type { Meter } from '@opentelemetry/api';
import type { HeapNames } from '../semconv.ts';
import type { Guard } from '@vigil/core';

/** Size, use, availability and physical size of each V8 heap space. */
export function collectHeapSpaces(meter: Meter, names: HeapNames, guard: Guard): void {
  const gauge = (name: string, description: string) => meter.createObservableGauge(name, { unit: 'By', description });
  const used = gauge(names.spaceUsed, 'Heap space in use.');
  const size = gauge(names.spaceSize, 'Heap space size (pre-allocated).');
  const available = gauge(names.spaceAvailable, 'Heap space still available.');
  const physical = gauge(names.spacePhysical, 'Heap space committed physical memory.');

  meter.addBatchObservableCallback(
    guard((result) => {
      for (const space of getHeapSpaceStatistics()) {
        // Spaces this isolate does not use (read-only, shared) are all zeros: a fifth of the exposition, for nothing.
        if (space.space_size === 0 && space.physical_space_size === 0) continue;
        const attributes = { [names.spaceAttribute]: names.spaceValue(space.space_name) };
        result.observe(used, space.space_used_size, attributes);
        result.observe(size, space.space_size, attributes);
        result.observe(available, space.space_available_size, attributes);
        result.observe(physical, space.physical_space_size, attributes);
      }
    }, 'heap spaces collection'),
    [used, size, available, physical],
  );
}
