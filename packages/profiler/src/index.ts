import { defineCapability, type Capability, type VigilPlugin } from '@vigil/core';
import type { ProfilerOptions, ProfilerService } from './types.ts';
import { CaptureRecorder } from './capture-recorder.ts';
import { PROFILER_DEFAULTS } from './defaults.ts';
import { startProfilerService } from './profiler-service.ts';
import pkg from '../package.json' with { type: 'json' };

export type { CpuCaptureOptions, CpuCaptureResult, ProfilerOptions, ProfilerService } from './types.ts';
export { CaptureRecorder } from './capture-recorder.ts';
export { PROFILER_DEFAULTS } from './defaults.ts';
export type { CpuCaptureRequest, StoredCapture } from './capture-recorder.ts';
export { ProfilingContextManager, observeContextManager } from './profiling-context-manager.ts';
export type { ObservedContextManager } from './profiling-context-manager.ts';
export { PROFILE_ID, SpanLabeler, hasAsyncContextFrame } from './span-labels.ts';
export type { SpanLabelMode, SpanLabels } from './span-labels.ts';

/** Captures that go to the store, for whoever takes them (the debug server, triggers). */
export const CapturesCapability: Capability<CaptureRecorder> = defineCapability<CaptureRecorder>('captures');

/** The profiler service, for plugins that capture (the debug server, triggers). */
export const ProfilerCapability: Capability<ProfilerService> = defineCapability<ProfilerService>('profiler');

/** The plugin's name, which other plugins list in their dependencies. */
export const PROFILER_PLUGIN = 'profiler';

/** The one owner of `@datadog/pprof` in the process. */
export function profiler(options: ProfilerOptions = {}): VigilPlugin {
  let stop: (() => void) | undefined;
  return {
    name: PROFILER_PLUGIN,
    version: pkg.version,
    scope: pkg.name,
    async start(ctx) {
      const running = await startProfilerService(options, ctx);
      stop = running.stop;
      ctx.provide(ProfilerCapability, running.service);
      if (options.store !== undefined) ctx.provide(CapturesCapability, new CaptureRecorder(running.service, options.store, options.serviceName ?? PROFILER_DEFAULTS.serviceName, (error, what) => ctx.reportError(error, what)));
    },
    stop() {
      stop?.();
    },
  };
}
