import type { MetricNames } from '@vigil/core';

export type DelayStat = 'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90' | 'p99';
export const DELAY_STATS: readonly DelayStat[] = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'];

export interface EventLoopNames {
  delay: (stat: DelayStat) => string;
  /** A single "current lag" figure; prom-client has one, OpenTelemetry does not. */
  lag: string | undefined;
  /** Longest delay of the current and previous 1 s slices: what trigger rules react to (the window gauges linger). */
  recentMax: string;
  utilization: string;
  time: string;
  stateAttribute: string;
}

/** OpenTelemetry semantic conventions for Node.js runtime metrics. */
const OTEL: EventLoopNames = {
  delay: (stat) => `nodejs.eventloop.delay.${stat}`,
  lag: undefined,
  recentMax: 'vigil.eventloop.delay.recent_max',
  utilization: 'nodejs.eventloop.utilization',
  time: 'nodejs.eventloop.time',
  stateAttribute: 'nodejs.eventloop.state',
};

/** The names of prom-client's default metrics, so existing dashboards keep working. */
const PROM_CLIENT: EventLoopNames = {
  delay: (stat) => `nodejs_eventloop_lag_${stat}_seconds`,
  lag: 'nodejs_eventloop_lag_seconds',
  recentMax: 'vigil_eventloop_lag_recent_max_seconds',
  utilization: 'nodejs_eventloop_utilization_ratio',
  time: 'nodejs_eventloop_time_seconds',
  stateAttribute: 'state',
};

export function eventLoopNames(names: MetricNames): EventLoopNames {
  return names === 'prom-client' ? PROM_CLIENT : OTEL;
}
