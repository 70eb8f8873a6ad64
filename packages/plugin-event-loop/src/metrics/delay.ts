import type { Meter } from '@opentelemetry/api';
import type { Guard } from '@vigil/core';
import type { DelayWindow } from '../delay-window.ts';
import { DELAY_STATS, type EventLoopNames } from '../semconv.ts';

/** Event-loop delay statistics over the window, read at collection time (one merge per collection). */
export function collectDelay(meter: Meter, names: EventLoopNames, window: DelayWindow, guard: Guard): void {
  const gauges = DELAY_STATS.map((stat) => ({
    stat,
    gauge: meter.createObservableGauge(names.delay(stat), {
      unit: 's',
      description: `Event loop delay ${stat} over the recent window, beyond the sampling resolution.`,
    }),
  }));
  const lag =
    names.lag === undefined
      ? undefined
      : meter.createObservableGauge(names.lag, { unit: 's', description: 'Mean event loop delay over the last second.' });

  meter.addBatchObservableCallback(
    guard((result) => {
      const stats = window.read();
      for (const { stat, gauge } of gauges) result.observe(gauge, stats[stat]);
      if (lag !== undefined) result.observe(lag, window.read(1_000).mean);
    }, 'event-loop delay collection'),
    lag === undefined ? gauges.map((g) => g.gauge) : [...gauges.map((g) => g.gauge), lag],
  );
}


