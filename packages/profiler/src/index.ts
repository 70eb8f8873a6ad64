import { ErrorCodes, VigilError, defineCapability, type Capability, type VigilPlugin } from '@vigil/core';
import type { ProfilerOptions, ProfilerService } from './types.ts';
import { CaptureRecorder } from './capture-recorder.ts';
import { PROFILER_DEFAULTS } from './defaults.ts';
import { startContinuousUploads, type ContinuousUploads } from './continuous-uploads.ts';
import { startProfilerService } from './profiler-service.ts';
import pkg from '../package.json' with { type: 'json' };

export type { CpuCaptureOptions, CpuCaptureResult, ProfilerOptions, ProfilerService } from './types.ts';
export { CaptureRecorder } from './capture-recorder.ts';
export { PROFILER_DEFAULTS } from './defaults.ts';
export type { CpuCaptureRequest, StoredCapture } from './capture-recorder.ts';
export { ProfilingContextManager, observeContextManager } from './profiling-context-manager.ts';
export type { ObservedContextManager } from './profiling-context-manager.ts';
export {
  LABELS_SLOT,
  PROFILE_ID,
  SpanLabeler,
  UNLINKED_TRACE,
  hasAsyncContextFrame,
  type LabelledSpan,
} from './span-labels.ts';
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
  let uploads: ContinuousUploads | undefined;
  return {
    name: PROFILER_PLUGIN,
    version: pkg.version,
    scope: pkg.name,
    async start(ctx) {
      if (options.uploadEveryMillis !== undefined && options.continuous === false) {
        throw new VigilError(
          ErrorCodes.CONFIG_INVALID_VALUE,
          'continuous uploads (uploadEveryMillis) need continuous profiling: set continuous: true',
          { field: 'uploadEveryMillis' },
        );
      }
      const running = await startProfilerService(options, ctx);
      stop = running.stop;
      ctx.provide(ProfilerCapability, running.service);
      if (options.store === undefined) return;
      const captures = new CaptureRecorder(
        running.service,
        options.store,
        options.serviceName ?? PROFILER_DEFAULTS.serviceName,
        (error, what) => ctx.reportError(error, what),
      );
      ctx.provide(CapturesCapability, captures);
      const follower =
        options.uploadEveryMillis === undefined
          ? undefined
          : running.followCpu(options.recorderMaxBytes ?? PROFILER_DEFAULTS.recorderMaxBytes);
      if (follower !== undefined) {
        uploads = startContinuousUploads({
          periodMillis: options.uploadEveryMillis!,
          follower,
          captures,
          meter: ctx.meter,
          diag: ctx.diag,
          reportError: ctx.reportError,
        });
      }
    },
    async stop() {
      await uploads?.stop();
      uploads = undefined;
      stop?.();
    },
  };
}
