import type { Meter } from '@opentelemetry/api';
import type { ProcessNames } from '../semconv.ts';

/** When the process started: start time since the epoch (prom-client) or uptime (OpenTelemetry). */
export function collectStartTime(meter: Meter, names: ProcessNames): void {
  const startedAtSeconds = (Date.now() - process.uptime() * 1e3) / 1e3;
  if (names.start.kind === 'start-time') {
    meter
      .createObservableGauge(names.start.name, {
        unit: 's',
        description: 'Start time of the process since unix epoch in seconds.',
      })
      .addCallback((result) => result.observe(Math.round(startedAtSeconds)));
  } else {
    meter
      .createObservableGauge(names.start.name, { unit: 's', description: 'Time since the process started.' })
      .addCallback((result) => result.observe(process.uptime()));
  }
}
