import type { PluginContext } from '@vigil/core';
import { encodeProfile } from '@vigil/pprof';
import type { CpuFollower } from './cpu-profiler.ts';
import { PROFILER_DEFAULTS } from './defaults.ts';
import type { Engine } from './engine.ts';
import { HandleTracker } from './handle-tracker.ts';
import { handlesProfile } from './handles-profile.ts';
import { HeapSnapshots } from './heap-snapshots.ts';
import { SpanLabeler } from './span-labels.ts';
import type { ProfilerOptions, ProfilerService } from './types.ts';

export interface RunningProfiler {
  service: ProfilerService;
  /** Follows the continuous stream (see CpuProfiler.follow); undefined without continuous profiling. */
  followCpu(maxBytes: number): CpuFollower | undefined;
  stop(): void;
}

/** Labels nothing: the labeler of a profiler whose engine has not loaded (span labels need continuous profiling). */
const NO_LABELS = new SpanLabeler('off', {
  setContext: () => undefined,
  getContext: () => undefined,
  runWithContext: (_context, fn) => fn(),
});

/**
 * The profiler service. With continuous profiling the engine (the native addon) starts with it; without, it loads at
 * the first CPU or heap capture, so that a process that is never profiled never maps the addon. Handles profiles and
 * heap snapshots need no addon.
 */
export async function startProfilerService(options: ProfilerOptions, ctx: PluginContext): Promise<RunningProfiler> {
  const tracker = options.trackHandles ? new HandleTracker() : undefined;
  const snapshots = new HeapSnapshots(options.heapSnapshots ?? PROFILER_DEFAULTS.heapSnapshots);
  const continuous = options.continuous ?? PROFILER_DEFAULTS.continuous;
  let engine: Engine | undefined;
  let loading: Promise<Engine> | undefined;
  let stopped = false;
  const load = (): Promise<Engine> =>
    (loading ??= import('./engine.ts').then(async ({ startEngine }) => {
      const started = await startEngine(options, ctx);
      if (stopped) started.stop(); // the plugin stopped while the addon loaded
      engine = started;
      return started;
    }));
  if (continuous) await load();
  loading?.catch(() => (loading = undefined)); // an addon that failed to load on demand is tried again next time
  tracker?.enable();

  const service: ProfilerService = {
    continuous,
    captureCpu: async (request) => (await load()).cpu.capture(request),
    cpuBusy: () => engine?.cpu.busy,
    heapProfile: async () => (await load()).heap.profile(),
    handlesProfile: () => handlesProfile(tracker),
    tracksHandles: tracker !== undefined,
    heapSnapshotRefusal: () => snapshots.snapshotRefusal(),
    heapSnapshot: () => snapshots.snapshot(),
    encode: (profile) => encodeProfile(profile),
    get labeler() {
      return engine?.labeler ?? NO_LABELS;
    },
    recorder: () =>
      engine === undefined
        ? { windows: 0, bytes: 0, oldestMillis: undefined }
        : {
            windows: engine.cpu.recorder.size,
            bytes: engine.cpu.recorder.bytes,
            oldestMillis: engine.cpu.recorder.oldestMillis,
          },
  };
  return {
    service,
    followCpu: (maxBytes) => engine?.cpu.follow(maxBytes),
    stop() {
      stopped = true;
      tracker?.disable();
      engine?.stop();
    },
  };
}
