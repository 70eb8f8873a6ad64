import { defineCapability, type Capability, type MetricNames, type VigilPlugin } from '@vigil/core';
import { HeapGrowth } from './heap-growth.ts';
import { observeGc } from './metrics/gc.ts';
import { collectGrowthRate } from './metrics/growth-rate.ts';
import { collectHeapSpaces } from './metrics/heap-spaces.ts';
import { collectHeapTotals } from './metrics/heap-totals.ts';
import { heapNames } from './semconv.ts';
import pkg from '../package.json' with { type: 'json' };

export { HeapGrowth } from './heap-growth.ts';
export { heapNames } from './semconv.ts';
export type { HeapNames } from './semconv.ts';

export interface HeapMetricsOptions {
  names?: MetricNames;
  /** Window of the heap growth trend, ms. Default 10 minutes. */
  growthWindowMillis?: number;
}

/** Offered to other plugins (triggers) that read the heap growth trend. */
export const HeapGrowthCapability: Capability<HeapGrowth> = defineCapability<HeapGrowth>('heap-growth');

/** The plugin's name, which other plugins list in their dependencies. */
export const HEAP_PLUGIN = 'heap';

export function heapMetrics(options: HeapMetricsOptions = {}): VigilPlugin {
  let disconnect: (() => void) | undefined;
  return {
    name: HEAP_PLUGIN,
    version: pkg.version,
    scope: pkg.name,
    start(ctx) {
      const names = heapNames(options.names ?? 'otel');
      const guard = ctx.guard;
      const growth = new HeapGrowth(options.growthWindowMillis ?? 600_000);
      collectHeapTotals(ctx.meter, names, guard);
      collectHeapSpaces(ctx.meter, names, guard);
      collectGrowthRate(ctx.meter, names, growth, guard);
      disconnect = observeGc(ctx.meter, names, growth, guard);
      ctx.provide(HeapGrowthCapability, growth);
    },
    stop() {
      disconnect?.();
    },
  };
}
