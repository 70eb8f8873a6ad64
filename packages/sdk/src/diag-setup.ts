import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { resolveConfig } from '@vigil/core';
import { LOG_LEVEL_FIELD, type LogLevel } from './config.ts';
import type { VigilOptions } from './types.ts';

const LEVELS: Record<LogLevel, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/**
 * Vigil reports through OpenTelemetry `diag`, which prints nothing until a logger is set. Set the user's logger, or
 * the console at `OTEL_LOG_LEVEL` (default `warn`) so that Vigil's own errors are seen; `none` leaves diag alone.
 * Runs before the configuration is resolved, so that an error in it is logged.
 */
export function setupDiag(options: VigilOptions, env: Readonly<Record<string, string | undefined>>): void {
  const level = LEVELS[earlyLogLevel(options, env)];
  if (level === DiagLogLevel.NONE && options.diagLogger === undefined) return;
  diag.setLogger(options.diagLogger ?? new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
}

/** The level as the configuration will resolve it; a bad one logs at the default, and start() then fails naming it. */
function earlyLogLevel(options: VigilOptions, env: Readonly<Record<string, string | undefined>>): LogLevel {
  try {
    return resolveConfig(
      { logLevel: LOG_LEVEL_FIELD },
      { env, options: options.logLevel === undefined ? {} : { logLevel: options.logLevel } },
    ).logLevel;
  } catch {
    return LOG_LEVEL_FIELD.default;
  }
}
