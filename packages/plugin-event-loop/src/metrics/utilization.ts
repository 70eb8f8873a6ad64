import type { Meter } from '@opentelemetry/api';
import type { Guard } from '@vigil/core';
import type { DelayWindow } from '../delay-window.ts';
import type { EventLoopNames } from '../semconv.ts';

/** Event-loop utilization over the window, and cumulative active/idle time. */
export function collectUtilization(meter: Meter, names: EventLoopNames, window: DelayWindow, guard: Guard): void {
  const utilization = meter.createObservableGauge(names.utilization, {
    unit: '1',
    description: 'Share of time the event loop was busy running JavaScript over the recent window (0..1).',
  });
  const time = meter.createObservableCounter(names.time, {
    unit: 's',
    description: 'Cumulative time the event loop spent active or idle.',
  });
  meter.addBatchObservableCallback(
    guard((result) => {
      result.observe(utilization, window.read().utilization);
      const totals = window.totals();
      result.observe(time, totals.active / 1e3, { [names.stateAttribute]: 'active' });
      result.observe(time, totals.idle / 1e3, { [names.stateAttribute]: 'idle' });
    }, 'event-loop utilization collection'),
    [utilization, time],
  );
}
