import type { DiagLogger } from '@opentelemetry/api';
import type { MetricNames, ResolvedOf, VigilPlugin } from '@vigil/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { RuleInput } from '@vigil/triggers';
import type { LogLevel, configSpec } from './config.ts';

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
  /** Continuous wall profiling into the flight recorder. Env `VIGIL_PROFILING` (`on`/`off`); default on. */
  profiling?: boolean | 'on' | 'off';
  /** How far back the flight recorder reaches, e.g. `60s`. Env `VIGIL_FLIGHT_RECORDER`. */
  flightRecorder?: string | number;
  /** Memory budget of the flight recorder, e.g. `16MiB`. Env `VIGIL_FLIGHT_RECORDER_MAX_BYTES`. */
  flightRecorderMaxBytes?: string | number;
  /**
   * Upload each period's CPU profile (with span labels) and heap profile to the store: `off`, `on` (every 60 s) or a
   * period such as `60s`. Needs `profiling`. Env `VIGIL_CONTINUOUS`; default off.
   */
  continuous?: string | number | boolean;
  /** Debug server address `host:port`, or `off`. Env `VIGIL_DEBUG_ADDR`; default `127.0.0.1:6060`. */
  debugAddr?: string;
  /** Bearer token required on every debug request. Env `VIGIL_DEBUG_TOKEN`. */
  debugToken?: string;
  /** PEM certificate and key files: serve the debug endpoints over TLS. Env `VIGIL_DEBUG_TLS_CERT` / `_KEY`. */
  debugTlsCert?: string;
  debugTlsKey?: string;
  /** PEM CA file: require client certificates signed by it (mutual TLS). Env `VIGIL_DEBUG_TLS_CA`. */
  debugTlsCa?: string;
  /** Allow a non-loopback debug address with neither token nor TLS. Env `VIGIL_DEBUG_INSECURE`; default false. */
  debugInsecure?: boolean | string;
  /** Longest CPU capture over HTTP, e.g. `300s`. Env `VIGIL_PROFILE_MAX_DURATION`. */
  profileMaxDuration?: string | number;
  /** Allow V8 heap snapshots at /debug/pprof/heapsnapshot. Env `VIGIL_HEAP_SNAPSHOTS`; default false. */
  heapSnapshots?: boolean | string;
  /** Record each handle's creation stack for the handles profile. Env `VIGIL_TRACK_HANDLES`; default false. */
  trackHandles?: boolean | string;
  /** Comma-separated directories with source maps, so frames show original files. Env `VIGIL_SOURCE_MAPS`. */
  sourceMaps?: string;
  /**
   * Where captures are stored: `file://DIR` or `s3://BUCKET/PREFIX` (the standard AWS chain: `AWS_REGION`,
   * `AWS_ENDPOINT_URL_S3`, credentials). Env `VIGIL_STORE`; default `file://./.vigil`.
   */
  store?: string;
  /** Path-style S3 URLs, for MinIO, Ceph, s3rver. Env `VIGIL_S3_FORCE_PATH_STYLE`; default false. */
  s3ForcePathStyle?: boolean | string;
  /** Retention of the store: most captures, total size, age. Env `VIGIL_STORE_MAX_CAPTURES`, `_MAX_BYTES`, `_MAX_AGE`. */
  storeMaxCaptures?: number | string;
  storeMaxBytes?: number | string;
  storeMaxAge?: number | string;
  /**
   * How CPU samples get the active span: `auto` (the async-context frame where the runtime has it, else none),
   * `cped`, `async-hooks` (Node 22; costs a hook per callback) or `off`. Env `VIGIL_SPAN_LABELS`; default `auto`.
   */
  spanLabels?: 'auto' | 'cped' | 'async-hooks' | 'off';
  /** OpenTelemetry HTTP server/client instrumentation. Env `VIGIL_INSTRUMENT_HTTP`; default on. */
  instrumentHttp?: boolean | string;
  /** Trigger rules (see docs/triggers.md); a rule named like a default one replaces it. */
  rules?: RuleInput[];
  /** A YAML/JSON rules file. Env `VIGIL_RULES`. */
  rulesFile?: string;
  /** Keep the shipped default rules. Env `VIGIL_DEFAULT_RULES`; default on. */
  defaultRules?: boolean | string;
  /** How often rules are evaluated, e.g. `1s`. Env `VIGIL_TRIGGER_INTERVAL`. */
  triggerInterval?: string | number;
  /** Triggered captures allowed per rolling hour. Env `VIGIL_CAPTURES_PER_HOUR`; default 12. */
  capturesPerHour?: number | string;
  /** Triggered captures stop while the store is larger than this. Env `VIGIL_CAPTURE_DISK_BUDGET`; default 256MiB. */
  captureDiskBudget?: string | number;
  /**
   * Span processors for Vigil's tracer provider (e.g. a BatchSpanProcessor with your exporter), besides those that
   * `OTEL_TRACES_EXPORTER` names. Not used when the app registered its own tracer provider: add them to it.
   */
  spanProcessors?: SpanProcessor[];
  /** Your own instrumentations, registered with the global tracer provider (Vigil's, or the app's own). */
  instrumentations?: Instrumentation[];
  /** Level of Vigil's console logging through OpenTelemetry `diag`. Env `OTEL_LOG_LEVEL`; default `warn`. */
  logLevel?: LogLevel;
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
  /** Base URL of the debug endpoints, e.g. `http://127.0.0.1:6060`; undefined when off. */
  readonly debugUrl: string | undefined;
  /** Stops plugins and servers and flushes providers. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** The resolved, frozen configuration: one field per setting of the spec in config.ts, parsed. */
export type ResolvedConfig = ResolvedOf<ReturnType<typeof configSpec>>;
