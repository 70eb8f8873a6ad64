/**
 * The error catalogue. Every code is documented in docs/errors.md and never reused for another meaning.
 * `instanceof VigilError` holds across two installed copies of this package (ESM and CJS builds, or two versions),
 * because the check is keyed on a registered symbol rather than on the class identity.
 */
export const ErrorCodes = {
  CONFIG_UNKNOWN_OPTION: 'VIGIL_ERR_CONFIG_UNKNOWN_OPTION',
  CONFIG_INVALID_VALUE: 'VIGIL_ERR_CONFIG_INVALID_VALUE',
  METRICS_LISTEN: 'VIGIL_ERR_METRICS_LISTEN',
  PLUGIN_DUPLICATE: 'VIGIL_ERR_PLUGIN_DUPLICATE',
  PLUGIN_DEPENDENCY_MISSING: 'VIGIL_ERR_PLUGIN_DEPENDENCY_MISSING',
  PLUGIN_DEPENDENCY_CYCLE: 'VIGIL_ERR_PLUGIN_DEPENDENCY_CYCLE',
  PLUGIN_START: 'VIGIL_ERR_PLUGIN_START',
  CAPABILITY_DUPLICATE: 'VIGIL_ERR_CAPABILITY_DUPLICATE',
  RUNTIME_UNSUPPORTED: 'VIGIL_ERR_RUNTIME_UNSUPPORTED',
  PROFILER_BUSY: 'VIGIL_ERR_PROFILER_BUSY',
  PROFILER_CANCELED: 'VIGIL_ERR_PROFILER_CANCELED',
  PROFILER_FAILED: 'VIGIL_ERR_PROFILER_FAILED',
  HEAP_SNAPSHOT_DISABLED: 'VIGIL_ERR_HEAP_SNAPSHOT_DISABLED',
  HEAP_SNAPSHOT_LOW_MEMORY: 'VIGIL_ERR_HEAP_SNAPSHOT_LOW_MEMORY',
  DEBUG_INSECURE: 'VIGIL_ERR_DEBUG_INSECURE',
  DEBUG_LISTEN: 'VIGIL_ERR_DEBUG_LISTEN',
  DEBUG_TLS: 'VIGIL_ERR_DEBUG_TLS',
  RULE_INVALID: 'VIGIL_ERR_RULE_INVALID',
  RULES_FILE: 'VIGIL_ERR_RULES_FILE',
  STORE_CORRUPT: 'VIGIL_ERR_STORE_CORRUPT',
  STORE_WRITE: 'VIGIL_ERR_STORE_WRITE',
  STORE_READ: 'VIGIL_ERR_STORE_READ',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const kVigilError = Symbol.for('vigil.error');

export interface VigilErrorDetails {
  /** The option or environment variable at fault, e.g. `options.metricsPort` or `VIGIL_METRICS_PORT`. */
  field?: string;
  /** The value that was given, as received. */
  value?: unknown;
  /** What would have been accepted. */
  expected?: string;
  cause?: unknown;
}

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly value: unknown;
  readonly expected: string | undefined;

  constructor(code: ErrorCode, message: string, details: VigilErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VigilError';
    this.code = code;
    this.field = details.field;
    this.value = details.value;
    this.expected = details.expected;
    Object.defineProperty(this, kVigilError, { value: true });
  }

  static override [Symbol.hasInstance](candidate: unknown): boolean {
    return (
      typeof candidate === 'object' &&
      candidate !== null &&
      (candidate as Record<symbol, unknown>)[kVigilError] === true
    );
  }
}

/** An error for a bad configuration value: names the field, the value and what is expected. */
export function invalidValue(field: string, value: unknown, expected: string): VigilError {
  return new VigilError(
    ErrorCodes.CONFIG_INVALID_VALUE,
    `${field}: ${formatValue(value)} is not valid; expected ${expected}`,
    { field, value, expected },
  );
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
