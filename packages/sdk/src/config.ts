import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ErrorCodes,
  VigilError,
  fields,
  formatDuration,
  invalidValue,
  parseDuration,
  resolveConfig,
  type FieldSpec,
} from '@vigil/core';
import { DEBUG_SERVER_DEFAULTS, parseListenAddress, type ListenAddress } from '@vigil/debug-server';
import { EVENT_LOOP_DEFAULTS } from '@vigil/plugin-event-loop';
import { PROFILER_DEFAULTS } from '@vigil/profiler';
import { DEFAULT_RETENTION } from '@vigil/store';
import { TRIGGER_DEFAULTS } from '@vigil/triggers';
import type { ResolvedConfig, VigilOptions } from './types.ts';

const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `OTEL_LOG_LEVEL` / `logLevel`: also read alone, before the rest, so that diag is set up to log a bad configuration. */
export const LOG_LEVEL_FIELD: FieldSpec<LogLevel, LogLevel> = fields.oneOf(LOG_LEVELS, {
  env: 'OTEL_LOG_LEVEL',
  default: 'warn',
});

/**
 * Every setting of `start()`, declared once: its environment variable, default and parser (ResolvedConfig is derived
 * from it; docs/configuration.md is checked against it). A default that a package also applies to its direct users is
 * taken from that package's exported defaults, never re-typed here; setup/plugins.ts maps these names to the packages'.
 */
export function configSpec(cwd: string, env: Readonly<Record<string, string | undefined>> = {}) {
  return {
    /**
     * `service.name` on every signal.
     * @default `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else `name` in `./package.json`, else `unknown_service:node`
     */
    serviceName: fields.string({
      env: 'OTEL_SERVICE_NAME',
      default: resourceServiceName(env) ?? packageName(cwd) ?? PROFILER_DEFAULTS.serviceName,
    }),
    /** Interface of the Prometheus endpoint. */
    metricsHost: fields.host({ env: 'VIGIL_METRICS_HOST', default: '0.0.0.0' }),
    /** Port of `/metrics`; `0` picks a free one. */
    metricsPort: fields.port({ env: 'VIGIL_METRICS_PORT', default: 9464 }),
    /** `otel` (semantic conventions) or `prom-client` (prom-client's default metric names). */
    metricNames: fields.oneOf(['otel', 'prom-client'] as const, { env: 'VIGIL_METRIC_NAMES', default: 'otel' }),
    /** Window of the event-loop delay statistics and utilization (at least `1s`). */
    eventLoopWindow: fields.duration({
      env: 'VIGIL_EVENT_LOOP_WINDOW',
      default: EVENT_LOOP_DEFAULTS.windowMillis,
      min: 1_000,
    }),
    /** Continuous wall/CPU profiling into the flight recorder; off = on-demand captures only. */
    profiling: fields.boolean({ env: 'VIGIL_PROFILING', default: PROFILER_DEFAULTS.continuous }),
    /** How far back the flight recorder reaches (at least `5s`). */
    flightRecorder: fields.duration({
      env: 'VIGIL_FLIGHT_RECORDER',
      default: PROFILER_DEFAULTS.recorderMillis,
      min: 5_000,
    }),
    /** Memory budget of the flight recorder. */
    flightRecorderMaxBytes: fields.bytes({
      env: 'VIGIL_FLIGHT_RECORDER_MAX_BYTES',
      default: PROFILER_DEFAULTS.recorderMaxBytes,
    }),
    /**
     * Every period, store the period's CPU profile (with span labels) and the in-use heap as captures of reason
     * `continuous`: `off`, `on` (every `1m`) or a period of at least `1s`; needs `VIGIL_PROFILING=on`
     * ([storage.md](storage.md#continuous-profiles)).
     */
    continuous: uploadPeriod('VIGIL_CONTINUOUS'),
    /** Debug endpoints `host:port` (`[::1]:6060` for IPv6, `:6060` = loopback); `off` disables them. */
    debugAddr: custom<ListenAddress | undefined, string>({
      env: 'VIGIL_DEBUG_ADDR',
      default: { host: DEBUG_SERVER_DEFAULTS.host, port: DEBUG_SERVER_DEFAULTS.port },
      parse: parseListenAddress,
      show: (address) => (address === undefined ? 'off' : `${address.host}:${address.port}`),
    }),
    /** Bearer token (16+ characters) required on every debug request. */
    debugToken: secret('VIGIL_DEBUG_TOKEN'),
    /** PEM certificate file: serve the debug endpoints over TLS (with `debugTlsKey`). */
    debugTlsCert: fields.optionalString({ env: 'VIGIL_DEBUG_TLS_CERT' }),
    /** PEM private key file of `debugTlsCert`. */
    debugTlsKey: fields.optionalString({ env: 'VIGIL_DEBUG_TLS_KEY' }),
    /** PEM CA file: require client certificates signed by this CA (mutual TLS). */
    debugTlsCa: fields.optionalString({ env: 'VIGIL_DEBUG_TLS_CA' }),
    /** Allow a non-loopback debug address with neither token nor TLS. */
    debugInsecure: fields.boolean({ env: 'VIGIL_DEBUG_INSECURE', default: false }),
    /** Longest `seconds=` accepted by `/debug/pprof/profile` (at least `1s`). */
    profileMaxDuration: fields.duration({
      env: 'VIGIL_PROFILE_MAX_DURATION',
      default: DEBUG_SERVER_DEFAULTS.maxSeconds * 1_000,
      min: 1_000,
    }),
    /** Allow V8 heap snapshots at `/debug/pprof/heapsnapshot`. */
    heapSnapshots: fields.boolean({ env: 'VIGIL_HEAP_SNAPSHOTS', default: PROFILER_DEFAULTS.heapSnapshots }),
    /** Record each handle's creation stack for the handles profile. */
    trackHandles: fields.boolean({ env: 'VIGIL_TRACK_HANDLES', default: false }),
    /** Comma-separated directories scanned for source maps at start, so frames show original files. */
    sourceMaps: custom<string[], string>({
      env: 'VIGIL_SOURCE_MAPS',
      default: [],
      parse: (raw, field) => {
        if (typeof raw !== 'string') throw invalidValue(field, raw, 'comma-separated directories');
        return raw
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean);
      },
    }),
    /** Where captures are stored: `file://DIR` or `s3://BUCKET/PREFIX` ([storage.md](storage.md)). */
    store: fields.string({ env: 'VIGIL_STORE', default: 'file://./.vigil' }),
    /**
     * Path-style S3 URLs (MinIO, Ceph, s3rver); the rest comes from the standard AWS chain (`AWS_REGION`,
     * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`, credentials).
     */
    s3ForcePathStyle: fields.boolean({ env: 'VIGIL_S3_FORCE_PATH_STYLE', default: false }),
    /** Retention: the most captures the store keeps. */
    storeMaxCaptures: fields.count({ env: 'VIGIL_STORE_MAX_CAPTURES', default: DEFAULT_RETENTION.maxCount, min: 1 }),
    /** Retention: the most bytes the store keeps. */
    storeMaxBytes: fields.bytes({ env: 'VIGIL_STORE_MAX_BYTES', default: DEFAULT_RETENTION.maxBytes }),
    /** Retention: the oldest capture the store keeps (at least `1m`). */
    storeMaxAge: fields.duration({
      env: 'VIGIL_STORE_MAX_AGE',
      default: DEFAULT_RETENTION.maxAgeMillis,
      min: 60_000,
    }),
    /**
     * How CPU samples get the active span: `auto` (the async-context frame where the runtime has it, else none),
     * `cped`, `async-hooks` (Node 22; costs a hook per callback) or `off` ([tracing.md](tracing.md)).
     */
    spanLabels: fields.oneOf(['auto', 'cped', 'async-hooks', 'off'] as const, {
      env: 'VIGIL_SPAN_LABELS',
      default: 'auto',
    }),
    /** HTTP server and client spans (none are added when the app instruments `http` already). */
    instrumentHttp: fields.boolean({ env: 'VIGIL_INSTRUMENT_HTTP', default: true }),
    /** A YAML or JSON file of trigger rules ([triggers.md](triggers.md)). */
    rulesFile: fields.optionalString({ env: 'VIGIL_RULES' }),
    /** Keep the shipped default rules. */
    defaultRules: fields.boolean({ env: 'VIGIL_DEFAULT_RULES', default: true }),
    /** How often rules are evaluated (at least `100ms`). */
    triggerInterval: fields.duration({
      env: 'VIGIL_TRIGGER_INTERVAL',
      default: TRIGGER_DEFAULTS.intervalMillis,
      min: 100,
    }),
    /** Triggered captures allowed per rolling hour. */
    capturesPerHour: fields.count({
      env: 'VIGIL_CAPTURES_PER_HOUR',
      default: TRIGGER_DEFAULTS.capturesPerHour,
      min: 0,
    }),
    /** No triggered captures while the store is larger than this. */
    captureDiskBudget: fields.bytes({ env: 'VIGIL_CAPTURE_DISK_BUDGET', default: TRIGGER_DEFAULTS.diskBudgetBytes }),
    /** Level of Vigil's console logging through OpenTelemetry `diag`; `none` leaves `diag` alone. */
    logLevel: LOG_LEVEL_FIELD,
  };
}

/** Options that are objects rather than settings: not part of the resolved, frozen configuration. */
export const NON_CONFIG_KEYS = new Set<keyof VigilOptions>([
  'diagLogger',
  'plugins',
  'instrumentations',
  'spanProcessors',
  'rules',
]);

export function resolveSdkConfig(
  options: VigilOptions,
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): Readonly<ResolvedConfig> {
  const settings = Object.fromEntries(
    Object.entries(options).filter(([key]) => !NON_CONFIG_KEYS.has(key as keyof VigilOptions)),
  );
  const config = resolveConfig<ResolvedConfig>(configSpec(cwd, env), { env, options: settings });
  if (config.continuous !== undefined && !config.profiling) {
    const field = sourceOf('continuous', options, env);
    throw new VigilError(
      ErrorCodes.CONFIG_INVALID_VALUE,
      `${field}: continuous profiles are cut from the flight recorder, which ${sourceOf('profiling', options, env)} turns off; set VIGIL_PROFILING=on, or ${field}=off`,
      { field, value: config.continuous, expected: 'off while VIGIL_PROFILING is off' },
    );
  }
  return config;
}

/** Where a setting came from, to name it in an error: the option, the environment variable, or the default. */
export function sourceOf(
  key: keyof ResolvedConfig & keyof VigilOptions,
  options: VigilOptions,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const envName = (configSpec(process.cwd())[key] as { env?: string }).env;
  if (options[key] !== undefined) return `options.${key}`;
  if (envName !== undefined && env[envName]?.trim()) return envName;
  return `${key} (default; set ${envName ?? `options.${key}`} to change it)`;
}

/** `service.name` in `OTEL_RESOURCE_ATTRIBUTES` (comma-separated, percent-encoded key=value pairs): below `OTEL_SERVICE_NAME`. */
function resourceServiceName(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const [key, ...value] = pair.split('=');
    if (key?.trim() !== 'service.name' || value.length === 0) continue;
    try {
      return decodeURIComponent(value.join('=').trim()) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function packageName(cwd: string): string | undefined {
  try {
    const { name } = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** A field with a parser of its own, typed by what it parses to and what code may pass. */
function custom<T, In>(spec: FieldSpec<T, In>): FieldSpec<T, In> {
  return spec;
}

/** Default period of `VIGIL_CONTINUOUS=on`: a minute, as continuous profilers (Pyroscope, Parca) default to about. */
const DEFAULT_UPLOAD_PERIOD = 60_000;

/** `off` (default), `on` (every minute) or a period of at least 1 s, e.g. `60s`: undefined when off. */
function uploadPeriod(env: string): FieldSpec<number | undefined, string | number | boolean> {
  const expected = '"off", "on" (every 60s) or a period of at least 1s such as "60s"';
  return {
    env,
    default: undefined,
    show: (period) => (period === undefined ? 'off' : formatDuration(period)),
    parse(raw, field) {
      const v = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
      if (v === false || v === 'off' || v === 'false' || v === 'no') return undefined;
      if (v === true || v === 'on' || v === 'true' || v === 'yes') return DEFAULT_UPLOAD_PERIOD;
      let millis: number;
      try {
        millis = parseDuration(raw, field);
      } catch {
        throw invalidValue(field, raw, expected);
      }
      if (millis < 1_000) throw invalidValue(field, raw, expected);
      return millis;
    },
  };
}

/** A token: at least 16 characters, so a guessable one is an error, not a false sense of safety. */
function secret(env: string): FieldSpec<string | undefined, string> {
  return {
    env,
    default: undefined,
    parse(raw, field) {
      if (typeof raw !== 'string' || raw.trim().length < 16) {
        throw invalidValue(
          field,
          typeof raw === 'string' ? `${raw.length} characters` : raw,
          'a secret of at least 16 characters',
        );
      }
      return raw.trim();
    },
  };
}
