import type { DiagLogger } from '@opentelemetry/api';
import { ErrorCodes, VigilError } from '@vigil/core';
import { hasAsyncContextFrame, type SpanLabelMode } from '@vigil/profiler';
import type { ResolvedConfig } from '../types.ts';

/** `auto` picks the async-context frame where the runtime has it; otherwise no labels, saying why, once. */
export async function spanLabelMode(config: Readonly<ResolvedConfig>, log: DiagLogger): Promise<SpanLabelMode> {
  if (config.spanLabels === 'off' || !config.profiling) return 'off';
  if (config.spanLabels === 'async-hooks') return 'async-hooks';
  const hasFrame = await hasAsyncContextFrame();
  if (config.spanLabels === 'cped' && !hasFrame) {
    throw new VigilError(
      ErrorCodes.CONFIG_INVALID_VALUE,
      'VIGIL_SPAN_LABELS: "cped" needs the async-context frame, which this runtime does not have; use Node 24 ' +
        '(or Node 22 with --experimental-async-context-frame), or set "async-hooks" or "auto"',
      { field: 'VIGIL_SPAN_LABELS', value: 'cped', expected: 'auto, async-hooks or off on this runtime' },
    );
  }
  if (hasFrame) return 'cped';
  log.warn(
    'CPU samples carry no span labels: this runtime has no async-context frame (Node 24 has it); VIGIL_SPAN_LABELS=async-hooks labels them at the cost of a hook per callback',
  );
  return 'off';
}
