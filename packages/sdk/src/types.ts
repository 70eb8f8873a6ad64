import type { DiagLogger } from '@opentelemetry/api';
import type { MetricNames, VigilPlugin } from '@vigil/core';

/** Options of `start()`. Each has an environment variable (see docs/configuration.md); code wins over environment. */
export interface VigilOptions {
  /** `service.name` on every signal. Env `OTEL_SERVICE_NAME`; default: the `name` in ./package.json. */
  serviceName?: string;
  /** Interface of the Prometheus endpoint. Env `VIGIL_METRICS_HOST`; default `0.0.0.0`. */
  metricsHost?: string;
  /** Port of the Prometheus endpoint (`/metrics`); 0 picks a free one. Env `VIGIL_METRICS_PORT`; default 9464. */
  metricsPort?: number | string;
  /** `otel` (semantic conventions) or `prom-client` (prom-client's default metric names). Env `VIGIL_METRIC_NAMES`. */
  metricNames?: MetricNames;
  /** Window of the event-loop delay statistics, e.g. `60s`. Env `VIGIL_EVENT_LOOP_WINDOW`. */
  eventLoopWindow?: string | number;
  /** Level of Vigil's console logging through OpenTelemetry `diag`. Env `OTEL_LOG_LEVEL`; default `warn`. */
  logLevel?: 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';
  /** Your own `diag` logger instead of the console. */
  diagLogger?: DiagLogger;
  /** Extra plugins, started after Vigil's own. */
  plugins?: VigilPlugin[];
}

/** What `start()` resolves to. */
export interface VigilHandle {
  /** The resolved configuration, frozen. */
  readonly config: Readonly<ResolvedConfig>;
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly metricsUrl: string | undefined;
  /** Stops plugins and servers and flushes providers. Safe to call more than once. */
  shutdown(): Promise<void>;
}

export interface ResolvedConfig {
  serviceName: string;
  metricsHost: string;
  metricsPort: number;
  metricNames: MetricNames;
  eventLoopWindow: number;
  logLevel: NonNullable<VigilOptions['logLevel']>;
}
