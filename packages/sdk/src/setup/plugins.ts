import type { VigilPlugin } from '@vigil/core';
import { eventLoopMetrics } from '@vigil/plugin-event-loop';
import { handleMetrics } from '@vigil/plugin-handles';
import { heapMetrics } from '@vigil/plugin-heap';
import { processMetrics } from '@vigil/plugin-process';
import { profiler, type SpanLabelMode } from '@vigil/profiler';
import type { CaptureStore } from '@vigil/store';
import { triggers, type Rule, type RuleMetricReader } from '@vigil/triggers';
import type { ResolvedConfig, VigilOptions } from '../types.ts';

export interface PluginInputs {
  rules: readonly Rule[];
  spanLabels: SpanLabelMode;
  store: CaptureStore;
  /** What the rules read: the reader the MeterProvider carries. */
  rulesReader: RuleMetricReader;
  /** The /metrics port once listening: an alert whose `instance` names it concerns this process. */
  metricsPort(): number | undefined;
}

/**
 * Vigil's plugins configured from the resolved configuration, then the app's own (`options.plugins`). The one place
 * where the settings' names (config.ts, the user's) meet the packages' option names: `profiling` is the profiler's
 * `continuous`, `flightRecorder` its `recorderMillis`, `flightRecorderMaxBytes` its `recorderMaxBytes`, `continuous` its `uploadEveryMillis`, `sourceMaps`
 * its `sourceMapDirs`; `eventLoopWindow` is the event-loop plugin's `windowMillis`; `triggerInterval`,
 * `captureDiskBudget` are the triggers' `intervalMillis`, `diskBudgetBytes` (the store's are in capture-store.ts).
 */
export function vigilPlugins(
  config: Readonly<ResolvedConfig>,
  options: VigilOptions,
  inputs: PluginInputs,
): VigilPlugin[] {
  const names = config.metricNames;
  return [
    eventLoopMetrics({ names, windowMillis: config.eventLoopWindow }),
    heapMetrics({ names }),
    handleMetrics({ names }),
    processMetrics({ names }),
    profiler({
      continuous: config.profiling,
      recorderMillis: config.flightRecorder,
      recorderMaxBytes: config.flightRecorderMaxBytes,
      uploadEveryMillis: config.continuous,
      heapSnapshots: config.heapSnapshots,
      trackHandles: config.trackHandles,
      sourceMapDirs: config.sourceMaps,
      spanLabels: inputs.spanLabels,
      store: inputs.store,
      serviceName: config.serviceName,
    }),
    triggers({
      rules: inputs.rules,
      reader: inputs.rulesReader,
      names,
      intervalMillis: config.triggerInterval,
      capturesPerHour: config.capturesPerHour,
      diskBudgetBytes: config.captureDiskBudget,
      identity: {
        serviceName: config.serviceName,
        get metricsPort() {
          return inputs.metricsPort();
        },
      },
    }),
    ...(options.plugins ?? []),
  ];
}
