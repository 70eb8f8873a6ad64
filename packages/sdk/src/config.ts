import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ErrorCodes,
  VigilError,
  fields,
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
export const LOG_LEVEL_FIELD: FieldSpec<LogLevel> = fields.oneOf(LOG_LEVELS, {
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
    serviceName: fields.string({
      env: 'OTEL_SERVICE_NAME',
      default: resourceServiceName(env) ?? packageName(cwd) ?? PROFILER_DEFAULTS.serviceName,
    }),
    metricsHost: fields.host({ env: 'VIGIL_METRICS_HOST', default: '0.0.0.0' }),
    metricsPort: fields.port({ env: 'VIGIL_METRICS_PORT', default: 9464 }),
    metricNames: fields.oneOf(['otel', 'prom-client'] as const, { env: 'VIGIL_METRIC_NAMES', default: 'otel' }),
    eventLoopWindow: fields.duration({
      env: 'VIGIL_EVENT_LOOP_WINDOW',
      default: EVENT_LOOP_DEFAULTS.windowMillis,
      min: 1_000,
    }),
    profiling: fields.boolean({ env: 'VIGIL_PROFILING', default: PROFILER_DEFAULTS.continuous }),
    flightRecorder: fields.duration({
      env: 'VIGIL_FLIGHT_RECORDER',
      default: PROFILER_DEFAULTS.recorderMillis,
      min: 5_000,
    }),
    flightRecorderMaxBytes: fields.bytes({
      env: 'VIGIL_FLIGHT_RECORDER_MAX_BYTES',
      default: PROFILER_DEFAULTS.recorderMaxBytes,
    }),
    continuous: uploadPeriod('VIGIL_CONTINUOUS'),
    debugAddr: custom<ListenAddress | undefined>({
      env: 'VIGIL_DEBUG_ADDR',
      default: { host: DEBUG_SERVER_DEFAULTS.host, port: DEBUG_SERVER_DEFAULTS.port },
      parse: parseListenAddress,
    }),
    debugToken: secret('VIGIL_DEBUG_TOKEN'),
    debugTlsCert: fields.optionalString({ env: 'VIGIL_DEBUG_TLS_CERT' }),
    debugTlsKey: fields.optionalString({ env: 'VIGIL_DEBUG_TLS_KEY' }),
    debugTlsCa: fields.optionalString({ env: 'VIGIL_DEBUG_TLS_CA' }),
    debugInsecure: fields.boolean({ env: 'VIGIL_DEBUG_INSECURE', default: false }),
    profileMaxDuration: fields.duration({
      env: 'VIGIL_PROFILE_MAX_DURATION',
      default: DEBUG_SERVER_DEFAULTS.maxSeconds * 1_000,
      min: 1_000,
    }),
    heapSnapshots: fields.boolean({ env: 'VIGIL_HEAP_SNAPSHOTS', default: PROFILER_DEFAULTS.heapSnapshots }),
    trackHandles: fields.boolean({ env: 'VIGIL_TRACK_HANDLES', default: false }),
    sourceMaps: custom<string[]>({
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
    store: fields.string({ env: 'VIGIL_STORE', default: 'file://./.vigil' }),
    s3ForcePathStyle: fields.boolean({ env: 'VIGIL_S3_FORCE_PATH_STYLE', default: false }),
    storeMaxCaptures: fields.count({ env: 'VIGIL_STORE_MAX_CAPTURES', default: DEFAULT_RETENTION.maxCount, min: 1 }),
    storeMaxBytes: fields.bytes({ env: 'VIGIL_STORE_MAX_BYTES', default: DEFAULT_RETENTION.maxBytes }),
    storeMaxAge: fields.duration({ env: 'VIGIL_STORE_MAX_AGE', default: DEFAULT_RETENTION.maxAgeMillis, min: 60_000 }),
    spanLabels: fields.oneOf(['auto', 'cped', 'async-hooks', 'off'] as const, {
      env: 'VIGIL_SPAN_LABELS',
      default: 'auto',
    }),
    instrumentHttp: fields.boolean({ env: 'VIGIL_INSTRUMENT_HTTP', default: true }),
    rulesFile: fields.optionalString({ env: 'VIGIL_RULES' }),
    defaultRules: fields.boolean({ env: 'VIGIL_DEFAULT_RULES', default: true }),
    triggerInterval: fields.duration({
      env: 'VIGIL_TRIGGER_INTERVAL',
      default: TRIGGER_DEFAULTS.intervalMillis,
      min: 100,
    }),
    capturesPerHour: fields.count({
      env: 'VIGIL_CAPTURES_PER_HOUR',
      default: TRIGGER_DEFAULTS.capturesPerHour,
      min: 0,
    }),
    captureDiskBudget: fields.bytes({ env: 'VIGIL_CAPTURE_DISK_BUDGET', default: TRIGGER_DEFAULTS.diskBudgetBytes }),
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

/** A field with a parser of its own, typed by what it parses to. */
function custom<T>(spec: FieldSpec<T>): FieldSpec<T> {
  return spec;
}

/** Default period of `VIGIL_CONTINUOUS=on`: a minute, as continuous profilers (Pyroscope, Parca) default to about. */
const DEFAULT_UPLOAD_PERIOD = 60_000;

/** `off` (default), `on` (every minute) or a period of at least 1 s, e.g. `60s`: undefined when off. */
function uploadPeriod(env: string): FieldSpec<number | undefined> {
  const expected = '"off", "on" (every 60s) or a period of at least 1s such as "60s"';
  return {
    env,
    default: undefined,
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
function secret(env: string): FieldSpec<string | undefined> {
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
