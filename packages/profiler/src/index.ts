import { defineCapability, type Capability, type VigilPlugin } from '@vigil/core';
import type { ProfilerOptions, ProfilerService } from './types.ts';
import { CaptureRecorder } from './capture-recorder.ts';

export type { CpuCaptureOptions, CpuCaptureResult, ProfilerOptions, ProfilerService } from './types.ts';
export { mergeProfiles } from './pprof/merge.ts';
export { filterByLabel } from './pprof/filter.ts';
export { traceRefs } from './pprof/labels.ts';
export { CaptureRecorder } from './capture-recorder.ts';
export type { CpuCaptureRequest, StoredCapture } from './capture-recorder.ts';
export { ProfilingContextManager } from './profiling-context-manager.ts';
export { SpanLabeler, hasAsyncContextFrame } from './span-labels.ts';
export type { SpanLabelMode, SpanLabels } from './span-labels.ts';
export { decodeProfile, encodeProfile } from './pprof/encode.ts';
export { formatTop, topTable } from './pprof/top.ts';
export type { TopRow, TopTable } from './pprof/top.ts';

/** Captures that go to the store, for whoever takes them (the debug server, triggers). */
export const CapturesCapability: Capability<CaptureRecorder> = defineCapability<CaptureRecorder>('captures');

/** The profiler service, for plugins that capture (the debug server, triggers). */
export const ProfilerCapability: Capability<ProfilerService> = defineCapability<ProfilerService>('profiler');

export const PROFILER_PLUGIN = 'profiler';

/** The one owner of `@datadog/pprof` in the process. */
export function profiler(options: ProfilerOptions = {}): VigilPlugin {
  let stop: (() => void) | undefined;
  return {
    name: PROFILER_PLUGIN,
    version: '0.1.0',
    async start(ctx) {
      const { startProfiler } = await import('./service.ts');
      const running = await startProfiler(options, ctx);
      stop = running.stop;
      ctx.provide(ProfilerCapability, running.service);
      if (options.store !== undefined) ctx.provide(CapturesCapability, new CaptureRecorder(running.service, options.store, options.serviceName ?? 'unknown_service:node'));
    },
    stop() {
      stop?.();
    },
  };
}
