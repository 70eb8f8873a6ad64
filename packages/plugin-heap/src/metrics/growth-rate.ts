import type { Meter } from '@opentelemetry/api';
import type { HeapNames } from '../semconv.ts';
import type { HeapGrowth } from '../heap-growth.ts';
import type { Guard } from '@vigil/core';

/** Trend of heap used after major GCs, bytes/s: steady positive values point at a leak. */
export function collectGrowthRate(meter: Meter, names: HeapNames, growth: HeapGrowth, guard: Guard): void {
  meter
    .createObservableGauge(names.growthRate, {
      unit: 'By/s',
      description: 'Trend (least squares) of heap used after major GCs over the growth window; a leak signal.',
    })
    .addCallback(guard((result) => result.observe(growth.rate()), 'heap growth collection'));
}
