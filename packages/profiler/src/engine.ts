import { createSourceMapper, time } from './datadog.ts';
import type { PluginContext } from '@vigil/core';
import { CpuProfiler } from './cpu-profiler.ts';
import { HeapProfiler } from './heap-profiler.ts';
import { monitorOutOfMemory } from './oom-capture.ts';
import { SpanLabeler } from './span-labels.ts';
import { PROFILER_DEFAULTS } from './defaults.ts';
import type { ProfilerOptions } from './types.ts';

/** The parts that drive `@datadog/pprof`: its time (CPU/wall) profiler and its sampling heap profiler. */
export interface Engine {
  cpu: CpuProfiler;
  heap: HeapProfiler;
  labeler: SpanLabeler;
  stop(): void;
}

/**
 * The only module that loads the native addon, imported lazily by the plugin: a metrics-only start never maps it, an
 * on-demand profiler maps it at its first capture, and an addon that fails to load disables the profiler alone.
 */
export async function startEngine(options: ProfilerOptions, ctx: PluginContext): Promise<Engine> {
  const sourceMapper = options.sourceMapDirs?.length ? await createSourceMapper(options.sourceMapDirs) : undefined;
  const labeler = new SpanLabeler(options.spanLabels ?? 'off', time);
  const cpu = new CpuProfiler({
    labeler,
    continuous: options.continuous ?? PROFILER_DEFAULTS.continuous,
    intervalMicros: options.intervalMicros ?? PROFILER_DEFAULTS.intervalMicros,
    windowMillis: options.windowMillis ?? PROFILER_DEFAULTS.windowMillis,
    recorderMillis: options.recorderMillis ?? PROFILER_DEFAULTS.recorderMillis,
    recorderMaxBytes: options.recorderMaxBytes ?? PROFILER_DEFAULTS.recorderMaxBytes,
    sourceMapper,
    onError: (error, what) => ctx.reportError(error, what),
  });
  const heap = new HeapProfiler({
    intervalBytes: options.heapIntervalBytes ?? PROFILER_DEFAULTS.heapIntervalBytes,
    stackDepth: 64,
    sourceMapper,
  });
  heap.start();
  if (options.store !== undefined && options.oomCapture !== false) {
    monitorOutOfMemory({
      storeLocation: options.store.location,
      serviceName: options.serviceName ?? PROFILER_DEFAULTS.serviceName,
      onError: (error, what) => ctx.reportError(error, what),
    });
  }
  try {
    cpu.start();
  } catch (error) {
    heap.stop();
    throw error;
  }
  return {
    cpu,
    heap,
    labeler,
    stop() {
      cpu.stop();
      heap.stop();
    },
  };
}
