export { start } from './start.ts';
export type { ResolvedConfig, VigilHandle, VigilOptions } from './types.ts';
export { ErrorCodes, VigilError, defineCapability } from '@vigil/core';
export type { Capability, MetricNames, PluginContext, VigilPlugin } from '@vigil/core';
