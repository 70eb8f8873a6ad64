import type { Meter } from '@opentelemetry/api';
import type { HeapNames } from '../semconv.ts';
import type { HeapGrowth } from '../heap-growth.ts';
import type { GcPauses } from './gc.ts';
import type { Guard } from '@vigil/core';

/**
 * Trend of heap used after major GCs, bytes/s: steady positive values point at a leak. Each collection first drains
 * the GC pauses, so that it holds every pause up to now (the duration histogram is read after the callbacks) and the
 * trend counts the latest major GC.
 */
export function collectGrowthRate(
  meter: Meter,
  names: HeapNames,
  growth: HeapGrowth,
  pauses: GcPauses,
  guard: Guard,
): void {
  meter
    .createObservableGauge(names.growthRate, {
      unit: 'By/s',
      description: 'Trend (least squares) of heap used after major GCs over the growth window; a leak signal.',
    })
    .addCallback(
      guard((result) => {
        pauses.drain();
        result.observe(growth.rate());
      }, 'heap growth collection'),
    );
}
