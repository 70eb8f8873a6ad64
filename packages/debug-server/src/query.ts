/** A parsed query, or the one-line reason it is bad (answered with 400). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const NUMBER = /^\d+(?:\.\d+)?$/;

function single(params: URLSearchParams, name: string): Parsed<string | undefined> {
  const values = params.getAll(name);
  if (values.length > 1) return { ok: false, reason: `${name} is given ${values.length} times; give it once` };
  return { ok: true, value: values[0] };
}

/** `seconds`: absent means the default; otherwise a positive number up to the maximum. */
export function parseSeconds(
  params: URLSearchParams,
  name: string,
  defaultSeconds: number,
  maxSeconds: number,
): Parsed<number> {
  const raw = single(params, name);
  if (!raw.ok) return raw;
  if (raw.value === undefined) return { ok: true, value: defaultSeconds };
  if (!NUMBER.test(raw.value))
    return { ok: false, reason: `${name}=${JSON.stringify(raw.value).slice(1, -1)} is not a number of seconds` };
  const seconds = Number(raw.value);
  if (seconds <= 0) return { ok: false, reason: `${name} must be more than 0` };
  if (seconds > maxSeconds) return { ok: false, reason: `${name}=${raw.value} is over the maximum of ${maxSeconds}` };
  return { ok: true, value: seconds };
}

/** Optional non-negative seconds (e.g. `lookback`), capped. */
export function parseOptionalSeconds(params: URLSearchParams, name: string, maxSeconds: number): Parsed<number> {
  const raw = single(params, name);
  if (!raw.ok) return raw;
  if (raw.value === undefined) return { ok: true, value: 0 };
  if (!NUMBER.test(raw.value))
    return { ok: false, reason: `${name}=${JSON.stringify(raw.value).slice(1, -1)} is not a number of seconds` };
  const seconds = Number(raw.value);
  if (seconds > maxSeconds) return { ok: false, reason: `${name}=${raw.value} is over the maximum of ${maxSeconds}` };
  return { ok: true, value: seconds };
}

/** `debug`: absent or 0 (binary pprof), or 1 (text). */
export function parseDebug(params: URLSearchParams): Parsed<boolean> {
  const raw = single(params, 'debug');
  if (!raw.ok) return raw;
  if (raw.value === undefined || raw.value === '0') return { ok: true, value: false };
  if (raw.value === '1') return { ok: true, value: true };
  return {
    ok: false,
    reason: `debug=${JSON.stringify(raw.value).slice(1, -1)} is not supported; use debug=0 or debug=1`,
  };
}
