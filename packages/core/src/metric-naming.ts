/**
 * Which names the metric plugins use: OpenTelemetry semantic conventions (`nodejs.eventloop.delay.p99`) or the names
 * of prom-client's default metrics (`nodejs_eventloop_lag_p99_seconds`), so existing dashboards keep working.
 */
export type MetricNames = 'otel' | 'prom-client';

export const MetricNaming = Object.freeze({ OTEL: 'otel', PROM_CLIENT: 'prom-client' } as const);
