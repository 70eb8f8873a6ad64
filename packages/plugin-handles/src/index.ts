import type { MetricNames, VigilPlugin } from '@vigil/core';
import { collectActiveResources } from './metrics/active-resources.ts';
import { handleNames } from './semconv.ts';
import pkg from '../package.json' with { type: 'json' };

export { countResources, isRequest } from './resource-kind.ts';
export type { ResourceCounts } from './resource-kind.ts';
export { handleNames } from './semconv.ts';
export type { HandleNames } from './semconv.ts';

export interface HandleMetricsOptions {
  names?: MetricNames;
}

/** The plugin's name, which other plugins list in their dependencies. */
export const HANDLES_PLUGIN = 'handles';

export function handleMetrics(options: HandleMetricsOptions = {}): VigilPlugin {
  return {
    name: HANDLES_PLUGIN,
    version: pkg.version,
    scope: pkg.name,
    start(ctx) {
      collectActiveResources(ctx.meter, handleNames(options.names ?? 'otel'), ctx.guard);
    },
  };
}
