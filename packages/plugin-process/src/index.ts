import type { MetricNames, VigilPlugin } from '@vigil/core';
import { collectCpu } from './metrics/cpu.ts';
import { collectFileDescriptors } from './metrics/file-descriptors.ts';
import { collectMemory } from './metrics/memory.ts';
import { collectStartTime } from './metrics/start-time.ts';
import { collectVersionInfo } from './metrics/version-info.ts';
import { processNames } from './semconv.ts';
import pkg from '../package.json' with { type: 'json' };

export { processNames } from './semconv.ts';
export type { ProcessNames } from './semconv.ts';

export interface ProcessMetricsOptions {
  names?: MetricNames;
}

/** The plugin's name, which other plugins list in their dependencies. */
export const PROCESS_PLUGIN = 'process';

export function processMetrics(options: ProcessMetricsOptions = {}): VigilPlugin {
  return {
    name: PROCESS_PLUGIN,
    version: pkg.version,
    scope: pkg.name,
    start(ctx) {
      const names = processNames(options.names ?? 'otel');
      collectCpu(ctx.meter, names, ctx.guard);
      collectMemory(ctx.meter, names, ctx.guard);
      collectFileDescriptors(ctx.meter, names, ctx.guard);
      collectStartTime(ctx.meter, names);
      collectVersionInfo(ctx.meter, names);
    },
  };
}
