import { parseDuration } from '@vigil/core';

/** One attribute matcher of a selector: `key="value"` or `key!="value"`. */
export interface Matcher {
  key: string;
  op: '=' | '!=';
  value: string;
}

/** An instrument by its OpenTelemetry name, narrowed to the series whose attributes match. */
export interface Selector {
  name: string;
  matchers: Matcher[];
}

/**
 * What a rule reads of its series each evaluation:
 * - `value`: a gauge's or up-down counter's current value;
 * - `deriv`: the least-squares slope per second of that value over `windowMillis` (what a leak looks like);
 * - `rate`: a counter's increase per second over `windowMillis`;
 * - a histogram statistic (`p99`, `max`, `mean`...) over the points recorded in the last `windowMillis`
 *   (0: the last evaluation interval).
 */
export type Stat =
  | { kind: 'value' }
  | { kind: 'deriv'; windowMillis: number }
  | { kind: 'rate'; windowMillis: number }
  | { kind: 'histogram'; of: HistogramStat; quantile?: number; windowMillis: number };

export type HistogramStat = 'quantile' | 'max' | 'min' | 'mean' | 'count' | 'sum';

export interface MetricQuery {
  /** The selector, or a ratio of two (`v8js.heap.used / v8js.heap.limit`). */
  numerator: Selector;
  denominator?: Selector;
  stat: Stat;
}

export class QueryError extends Error {
  readonly field: 'metric' | 'stat';

  constructor(field: 'metric' | 'stat', message: string) {
    super(message);
    this.field = field;
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_.\-/]*$/;
const SELECTOR = /^\s*([A-Za-z][A-Za-z0-9_.\-/]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** Parses `name{key="value",...}` or `a / b`, and the stat (`p99`, `max(30s)`, `rate(1m)`, `deriv(20s)`). */
export function parseQuery(metric: unknown, stat: unknown): MetricQuery {
  if (typeof metric !== 'string' || metric.trim() === '')
    throw new QueryError('metric', 'an instrument name such as v8js.heap.used');
  const parts = splitRatio(metric);
  const numerator = parseSelector(parts[0]!);
  const denominator = parts[1] === undefined ? undefined : parseSelector(parts[1]);
  const parsed = parseStat(stat);
  if (denominator !== undefined && parsed.kind !== 'value' && parsed.kind !== 'deriv') {
    throw new QueryError('stat', 'value or deriv(window) for a ratio of two gauges');
  }
  return { numerator, ...(denominator ? { denominator } : {}), stat: parsed };
}

/** A `/` outside braces splits a ratio; inside a quoted matcher value it is text. */
function splitRatio(text: string): string[] {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '/' && depth === 0 && text[i - 1] === ' ' && text[i + 1] === ' ')
      return [text.slice(0, i), text.slice(i + 1)];
  }
  return [text];
}

function parseSelector(text: string): Selector {
  const match = SELECTOR.exec(text);
  if (!match || !NAME.test(match[1]!)) {
    throw new QueryError(
      'metric',
      'an instrument name with optional attribute matchers, such as v8js.memory.heap.used{v8js.heap.space.name="old_space"}',
    );
  }
  const matchers: Matcher[] = [];
  const body = match[2]?.trim();
  if (body) {
    for (const part of splitMatchers(body)) {
      const m = MATCHER.exec(part);
      if (!m)
        throw new QueryError(
          'metric',
          `attribute matchers written key="value" or key!="value", separated by commas (not ${part.trim()})`,
        );
      matchers.push({ key: m[1]!, op: m[2] as '=' | '!=', value: m[3]!.replace(/\\(.)/g, '$1') });
    }
  }
  return { name: match[1]!, matchers };
}

function splitMatchers(body: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    if (quoted) {
      if (body[i] === '\\') i++;
      else if (body[i] === '"') quoted = false;
    } else if (body[i] === '"') quoted = true;
    else if (body[i] === ',') {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts.filter((p) => p.trim() !== '');
}

const STAT = /^\s*([a-z]+)(\d*)\s*(?:\(\s*([^)]*)\s*\))?\s*$/;
const STAT_TEXT =
  'value, deriv(20s), rate(1m), or a histogram statistic p50..p999, max, min, mean, count, sum (optionally over a window: p99(1m))';

function parseStat(raw: unknown): Stat {
  if (raw === undefined) return { kind: 'value' };
  const match = typeof raw === 'string' ? STAT.exec(raw) : null;
  if (!match) throw new QueryError('stat', STAT_TEXT);
  const [, word, digits, argument] = match;
  const window = (required: boolean): number => {
    if (argument === undefined || argument === '') {
      if (required) throw new QueryError('stat', `${word}(window) with a window such as ${word}(1m)`);
      return 0;
    }
    try {
      return parseDuration(argument, 'stat');
    } catch {
      throw new QueryError('stat', `a window such as ${word}(30s) or ${word}(1m)`);
    }
  };
  if (word === 'value' && !digits && argument === undefined) return { kind: 'value' };
  if ((word === 'rate' || word === 'deriv') && !digits) {
    const windowMillis = window(true);
    if (windowMillis < 2_000) throw new QueryError('stat', `a window of at least 2s for ${word}`);
    return { kind: word, windowMillis };
  }
  if (word === 'p' && digits) {
    const quantile = Number(`0.${digits}`);
    if (!(quantile > 0 && quantile < 1)) throw new QueryError('stat', STAT_TEXT);
    return { kind: 'histogram', of: 'quantile', quantile, windowMillis: window(false) };
  }
  if (!digits && (word === 'max' || word === 'min' || word === 'mean' || word === 'count' || word === 'sum')) {
    return { kind: 'histogram', of: word, windowMillis: window(false) };
  }
  throw new QueryError('stat', STAT_TEXT);
}

/** The query as written, for messages and the triggers endpoint. */
export function formatQuery(query: MetricQuery): string {
  const selector = (s: Selector) =>
    s.matchers.length === 0
      ? s.name
      : `${s.name}{${s.matchers.map((m) => `${m.key}${m.op}${JSON.stringify(m.value)}`).join(',')}}`;
  return query.denominator
    ? `${selector(query.numerator)} / ${selector(query.denominator)}`
    : selector(query.numerator);
}
