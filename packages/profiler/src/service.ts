import { SourceMapper, time } from '@datadog/pprof';
import { encodeProfile } from '@vigil/pprof';
import type { PluginContext } from '@vigil/core';
import { CpuProfiler } from './cpu-profiler.ts';
import { HandleTracker } from './handle-tracker.ts';
import { handlesProfile } from './handles-profile.ts';
import { HeapProfiler } from './heap-profiler.ts';
import { monitorOutOfMemory } from './oom-capture.ts';
import { SpanLabeler } from './span-labels.ts';
import type { ProfilerOptions, ProfilerService } from './types.ts';

export interface RunningProfiler {
  service: ProfilerService;
  stop(): void;
}

/** Loaded lazily by the plugin so that a native addon that fails to load disables the profiler alone. */
export async function startProfiler(options: ProfilerOptions, ctx: PluginContext): Promise<RunningProfiler> {
  const sourceMapper = options.sourceMapDirs?.length ? await SourceMapper.create(options.sourceMapDirs) : undefined;
  const labeler = new SpanLabeler(options.spanLabels ?? 'off', time);
  const cpu = new CpuProfiler({
    labeler,
    continuous: options.continuous ?? true,
    intervalMicros: options.intervalMicros ?? 10_000,
    windowMillis: options.windowMillis ?? 5_000,
    recorderMillis: options.recorderMillis ?? 60_000,
    recorderMaxBytes: options.recorderMaxBytes ?? 16 * 1024 * 1024,
    sourceMapper,
    onError: (error, what) => ctx.reportError(error, what),
  });
  const heap = new HeapProfiler({
    intervalBytes: options.heapIntervalBytes ?? 512 * 1024,
    stackDepth: 64,
    snapshots: options.heapSnapshots ?? false,
    sourceMapper,
  });
  const tracker = options.trackHandles ? new HandleTracker() : undefined;

  heap.start();
  if (options.store !== undefined && options.oomCapture !== false) {
    monitorOutOfMemory({ storeLocation: options.store.location, serviceName: options.serviceName ?? 'unknown_service:node', onError: (error, what) => ctx.reportError(error, what) });
  }
  try {
    cpu.start();
  } catch (error) {
    heap.stop();
    throw error;
  }
  tracker?.enable();

  const service: ProfilerService = {
    continuous: cpu.continuous,
    captureCpu: (request) => cpu.capture(request),
    cpuBusy: () => cpu.busy,
    heapProfile: () => heap.profile(),
    handlesProfile: () => handlesProfile(tracker),
    tracksHandles: tracker !== undefined,
    heapSnapshotRefusal: () => heap.snapshotRefusal(),
    heapSnapshot: () => heap.snapshot(),
    encode: (profile) => encodeProfile(profile),
    labeler,
    recorder: () => ({ windows: cpu.recorder.size, bytes: cpu.recorder.bytes, oldestMillis: cpu.recorder.oldestMillis }),
  };
  return {
    service,
    stop() {
      tracker?.disable();
      cpu.stop();
      heap.stop();
    },
  };
}
