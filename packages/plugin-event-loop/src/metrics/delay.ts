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
      : meter.createObservableGauge(names.lag, {
          unit: 's',
          description: 'Mean event loop delay over the last second.',
        });

  // The window gauges keep a stall visible for the whole window (right for a scrape every 15-60 s); a rule evaluated
  // every second needs the delay of the last second, so that its `for:` counts seconds of stalling, not of memory.
  const recentMax = meter.createObservableGauge(names.recentMax, {
    unit: 's',
    description: 'Longest event loop delay in the current and previous 1 s slices, beyond the sampling resolution.',
  });

  meter.addBatchObservableCallback(
    guard((result) => {
      const stats = window.read();
      for (const { stat, gauge } of gauges) result.observe(gauge, stats[stat]);
      const recent = window.read(1_000);
      result.observe(recentMax, recent.max);
      if (lag !== undefined) result.observe(lag, recent.mean);
    }, 'event-loop delay collection'),
    [...gauges.map((g) => g.gauge), recentMax, ...(lag === undefined ? [] : [lag])],
  );
}
