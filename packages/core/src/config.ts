import { ErrorCodes, VigilError, invalidValue } from './errors.ts';
import { formatDuration, formatSize, parseBytes, parseDuration } from './units.ts';

/**
 * How one field is read from the environment and from code, and what it defaults to. `In` is what code may pass
 * (the options type is derived from it: OptionsOf); the environment always gives a string.
 */
export interface FieldSpec<T, In = unknown> {
  /** Environment variable read for this field, if any. */
  env?: string;
  default: T;
  /** Turns a raw value (a string from the environment, anything from code) into the field's type, or throws. */
  parse: (raw: unknown, field: string) => T;
  /** How a value reads in documentation, the way a user would write it (`1m`, `16MiB`); else `String(value)`. */
  show?: (value: T) => string;
  /** Type-level only, never set: what code may pass for this field. */
  readonly accepts?: In;
}

export type ConfigSpec<C> = { [K in keyof C]: FieldSpec<C[K]> };

/** The configuration a spec resolves to: each field's parsed type (the inverse of ConfigSpec). */
export type ResolvedOf<S> = { [K in keyof S]: S[K] extends FieldSpec<infer T, unknown> ? T : never };

/** The options a spec accepts from code: every field optional, typed by what its parser takes. */
export type OptionsOf<S> = { [K in keyof S]?: S[K] extends { readonly accepts?: infer In } ? In : never };

export interface ConfigSources {
  /** Environment variables; `process.env` in production, a table in tests. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Options passed in code: these win over the environment. */
  options?: Readonly<Record<string, unknown>>;
}

/**
 * Resolves configuration as defaults < environment < code, and freezes the result. Pure: reads nothing but its
 * arguments. An unknown option key or a bad value throws a VigilError that names the field, the value and the fix.
 */
export function resolveConfig<C extends object>(spec: ConfigSpec<C>, sources: ConfigSources = {}): Readonly<C> {
  const env = sources.env ?? {};
  const options = sources.options ?? {};
  const keys = Object.keys(spec) as (keyof C & string)[];

  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(spec, key)) throw unknownOption(key, keys);
  }

  const resolved = {} as C;
  for (const key of keys) {
    const field = spec[key];
    let value = field.default;
    const fromEnv = field.env === undefined ? undefined : env[field.env];
    if (fromEnv !== undefined && fromEnv.trim() !== '') value = field.parse(fromEnv.trim(), field.env!);
    const fromCode = options[key];
    if (fromCode !== undefined) value = field.parse(fromCode, `options.${key}`);
    resolved[key] = value;
  }
  return Object.freeze(resolved);
}

function unknownOption(key: string, known: readonly string[]): VigilError {
  const close = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  const hint =
    close.length > 0
      ? `did you mean ${close.map((k) => `"${k}"`).join(' or ')}?`
      : `known options: ${known.join(', ')}`;
  return new VigilError(ErrorCodes.CONFIG_UNKNOWN_OPTION, `options.${key}: unknown option; ${hint}`, {
    field: `options.${key}`,
    expected: `one of ${known.join(', ')}`,
  });
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Field parsers: each throws `invalidValue(field, raw, expected)` on bad input. */
export const fields = {
  string(opts: { env?: string; default: string }): FieldSpec<string, string> {
    return {
      ...opts,
      parse(raw, field) {
        if (typeof raw !== 'string' || raw.trim() === '') throw invalidValue(field, raw, 'a non-empty string');
        return raw.trim();
      },
    };
  },
  optionalString(opts: { env?: string }): FieldSpec<string | undefined, string> {
    return {
      ...opts,
      default: undefined,
      parse(raw, field) {
        if (typeof raw !== 'string') throw invalidValue(field, raw, 'a string');
        return raw.trim() === '' ? undefined : raw;
      },
    };
  },
  oneOf<T extends string>(values: readonly T[], opts: { env?: string; default: T }): FieldSpec<T, NoInfer<T>> {
    return {
      ...opts,
      parse(raw, field) {
        const v = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
        if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
          throw invalidValue(field, raw, `one of ${values.map((x) => `"${x}"`).join(', ')}`);
        }
        return v as T;
      },
    };
  },
  /** `true`/`false`, or a string: `on`/`off`, `true`/`false`, `yes`/`no`, `1`/`0`. */
  boolean(opts: { env?: string; default: boolean }): FieldSpec<boolean, boolean | string> {
    return {
      ...opts,
      parse(raw, field) {
        if (typeof raw === 'boolean') return raw;
        const v = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
        if (v === 'on' || v === 'true' || v === '1' || v === 'yes') return true;
        if (v === 'off' || v === 'false' || v === '0' || v === 'no') return false;
        throw invalidValue(field, raw, 'true/false (or "on"/"off")');
      },
    };
  },
  port(opts: { env?: string; default: number }): FieldSpec<number, number | string> {
    return {
      ...opts,
      parse(raw, field) {
        const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
          throw invalidValue(field, raw, 'a TCP port number from 0 to 65535 (0 picks a free port)');
        }
        return n;
      },
    };
  },
  /** A whole number of things (captures, requests), at least `min`. */
  count(opts: { env?: string; default: number; min: number }): FieldSpec<number, number | string> {
    return {
      env: opts.env,
      default: opts.default,
      parse(raw, field) {
        const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < opts.min)
          throw invalidValue(field, raw, `a whole number, at least ${opts.min}`);
        return n;
      },
    };
  },
  host(opts: { env?: string; default: string }): FieldSpec<string, string> {
    return {
      ...opts,
      parse(raw, field) {
        if (typeof raw !== 'string' || !/^[A-Za-z0-9.:\-[\]]+$/.test(raw.trim())) {
          throw invalidValue(field, raw, 'a host name or IP address such as "127.0.0.1", "0.0.0.0" or "::"');
        }
        return raw.trim();
      },
    };
  },
  /** Milliseconds from code, or a string such as `500ms`, `10s`, `5m`. */
  duration(opts: { env?: string; default: number; min?: number }): FieldSpec<number, number | string> {
    return {
      env: opts.env,
      default: opts.default,
      show: formatDuration,
      parse(raw, field) {
        const ms = parseDuration(raw, field);
        if (opts.min !== undefined && ms < opts.min) {
          throw invalidValue(field, raw, `a duration of at least ${opts.min}ms`);
        }
        return ms;
      },
    };
  },
  /** Bytes from code, or a string such as `512KiB`, `64MiB`, `1GiB`. */
  bytes(opts: { env?: string; default: number }): FieldSpec<number, number | string> {
    return { ...opts, show: formatSize, parse: (raw, field) => parseBytes(raw, field) };
  },
};
