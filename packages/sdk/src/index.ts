export { start } from './start.ts';
export { vigilComponents } from './components.ts';
export type { VigilComponents } from './components.ts';
export type { ResolvedConfig, VigilHandle, VigilOptions } from './types.ts';
export { ErrorCodes, VigilError, defineCapability } from '@vigil/core';
export type { Capability, MetricNames, PluginContext, VigilPlugin } from '@vigil/core';
