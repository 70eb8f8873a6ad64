import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { VigilOptions } from './types.ts';

const LEVELS: Record<string, DiagLogLevel> = {
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
 */
export function setupDiag(options: VigilOptions, env: Readonly<Record<string, string | undefined>>): void {
  const raw = (options.logLevel ?? env.OTEL_LOG_LEVEL ?? 'warn').toLowerCase();
  const level = LEVELS[raw] ?? DiagLogLevel.WARN;
  if (level === DiagLogLevel.NONE && options.diagLogger === undefined) return;
  diag.setLogger(options.diagLogger ?? new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
}
