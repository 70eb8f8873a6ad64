import { ErrorCodes, VigilError, formatValue, parseDuration } from '@vigil/core';
import { QueryError, parseQuery, type MetricQuery } from './metric-query.ts';
import { QUANTITY_TEXT, parseQuantity, type QuantityKind } from './quantity.ts';

/** What a rule captures when it fires. */
export interface CapturePlan {
  /** CPU capture length after the rule fired, ms (0 = none). */
  cpuMillis: number;
  /** How much before the firing the CPU capture reaches back, ms (from the flight recorder). */
  lookbackMillis: number;
  heap: boolean;
  handles: boolean;
  heapsnapshot: boolean;
}

export interface Rule {
  name: string;
  /** The metric as written: an instrument's OpenTelemetry name with optional attribute matchers. */
  metric: string;
  /** The stat as written (`p99`, `rate(1m)`, `deriv(20s)`), if any. */
  stat: string | undefined;
  query: MetricQuery;
  /** Fires when the value is above (or below) the threshold, in its base unit (seconds, bytes, ratio, number)... */
  direction: 'above' | 'below';
  threshold: number;
  /** What the threshold was written in: checked against the instrument's unit when the metric appears. */
  thresholdKind: QuantityKind;
  /** ...or, for a relative rule, when it rises `rise` (0.3 = 30 %) over its average across `windowMillis`, above `floor`. */
  relative?: { rise: number; windowMillis: number; floor: number };
  forMillis: number;
  cooldownMillis: number;
  capture: CapturePlan;
  /** The threshold as written, for messages and exported rules. */
  thresholdText: string;
}

/** A rule as written in code or in the VIGIL_RULES file. */
export interface RuleInput {
  name?: unknown;
  metric?: unknown;
  stat?: unknown;
  above?: unknown;
  below?: unknown;
  rise?: unknown;
  window?: unknown;
  floor?: unknown;
  for?: unknown;
  cooldown?: unknown;
  capture?: unknown;
}

const RULE_KEYS = new Set([
  'name',
  'metric',
  'stat',
  'above',
  'below',
  'rise',
  'window',
  'floor',
  'for',
  'cooldown',
  'capture',
]);
const CAPTURE_KEYS = new Set(['cpu', 'lookback', 'heap', 'handles', 'heapsnapshot']);

/** Validates rules: metric syntax, threshold, duplicate name... each an error naming the rule and the field. */
export function parseRules(inputs: readonly unknown[], source: string): Rule[] {
  const seen = new Set<string>();
  return inputs.map((input, index) => {
    const rule = parseRule(input, `${source}: rules[${index}]`);
    if (seen.has(rule.name))
      throw ruleError(`${source}: rule "${rule.name}"`, 'name', rule.name, 'a name used by one rule only');
    seen.add(rule.name);
    return rule;
  });
}

function parseRule(input: unknown, where: string): Rule {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw ruleError(where, '', input, 'a mapping with name, metric, above|below|rise, capture');
  const raw = input as RuleInput & Record<string, unknown>;
  if (typeof raw.name !== 'string' || !/^[a-z0-9][a-z0-9_.-]*$/i.test(raw.name))
    throw ruleError(where, 'name', raw.name, 'a name of letters, digits, ".", "_" and "-"');
  const at = `${where.replace(/rules\[\d+\]$/, '')}rule "${raw.name}"`;
  for (const key of Object.keys(raw))
    if (!RULE_KEYS.has(key)) throw ruleError(at, key, raw[key], `one of the fields ${[...RULE_KEYS].join(', ')}`);
  let query: MetricQuery;
  try {
    query = parseQuery(raw.metric, raw.stat);
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    throw ruleError(at, error.field, raw[error.field], error.message);
  }
  const metric = (raw.metric as string).trim();
  const stat = typeof raw.stat === 'string' ? raw.stat.trim() : undefined;
  const given = ['above', 'below', 'rise'].filter((k) => raw[k] !== undefined);
  if (given.length !== 1) throw ruleError(at, 'above', raw.above, 'exactly one of above, below or rise');
  const forMillis = optionalDuration(raw.for, at, 'for', 0);
  const cooldownMillis = optionalDuration(raw.cooldown, at, 'cooldown', 300_000);
  const capture = parseCapture(raw.capture, at);
  const base = { name: raw.name, metric, stat, query, forMillis, cooldownMillis, capture };

  if (raw.rise !== undefined) {
    const rise = parseQuantity(raw.rise);
    if (rise === undefined || rise.kind !== 'ratio')
      throw ruleError(at, 'rise', raw.rise, 'a percentage such as "50%"');
    const windowMillis = optionalDuration(raw.window, at, 'window', 600_000);
    if (windowMillis < 10_000) throw ruleError(at, 'window', raw.window, 'a window of at least 10s');
    const floor = raw.floor === undefined ? { value: 0, kind: 'number' as const } : parseQuantity(raw.floor);
    if (floor === undefined) throw ruleError(at, 'floor', raw.floor, QUANTITY_TEXT);
    return {
      ...base,
      direction: 'above',
      threshold: floor.value,
      thresholdKind: floor.kind,
      relative: { rise: rise.value, windowMillis, floor: floor.value },
      thresholdText: `+${String(raw.rise)} over ${String(raw.window ?? '10m')}`,
    };
  }
  for (const key of ['window', 'floor'] as const)
    if (raw[key] !== undefined) throw ruleError(at, key, raw[key], `${key} only with rise`);
  const direction = raw.above !== undefined ? 'above' : 'below';
  const threshold = parseQuantity(raw[direction]);
  if (threshold === undefined) throw ruleError(at, direction, raw[direction], QUANTITY_TEXT);
  if (query.stat.kind === 'histogram' && query.stat.of === 'count' && threshold.kind !== 'number') {
    throw ruleError(at, direction, raw[direction], 'a plain number (the count of recordings)');
  }
  return {
    ...base,
    direction,
    threshold: threshold.value,
    thresholdKind: threshold.kind,
    thresholdText: String(raw[direction]),
  };
}

function parseCapture(raw: unknown, at: string): CapturePlan {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw ruleError(at, 'capture', raw, 'a mapping such as { cpu: 10s, lookback: 10s } or { heap: true }');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c))
    if (!CAPTURE_KEYS.has(key)) throw ruleError(at, `capture.${key}`, c[key], `one of ${[...CAPTURE_KEYS].join(', ')}`);
  const flag = (key: string) => {
    if (c[key] === undefined) return false;
    if (typeof c[key] !== 'boolean') throw ruleError(at, `capture.${key}`, c[key], 'true or false');
    return c[key];
  };
  const plan: CapturePlan = {
    cpuMillis: optionalDuration(c.cpu, at, 'capture.cpu', 0),
    lookbackMillis: optionalDuration(c.lookback, at, 'capture.lookback', 0),
    heap: flag('heap'),
    handles: flag('handles'),
    heapsnapshot: flag('heapsnapshot'),
  };
  if (plan.lookbackMillis > 0 && plan.cpuMillis === 0)
    throw ruleError(at, 'capture.lookback', c.lookback, 'lookback with a cpu capture (cpu: 10s)');
  if (plan.cpuMillis === 0 && !plan.heap && !plan.handles && !plan.heapsnapshot)
    throw ruleError(at, 'capture', raw, 'at least one of cpu, heap, handles, heapsnapshot');
  return plan;
}

function optionalDuration(raw: unknown, at: string, field: string, fallback: number): number {
  if (raw === undefined) return fallback;
  try {
    return parseDuration(raw, field);
  } catch {
    throw ruleError(at, field, raw, 'a duration such as "500ms", "10s", "5m"');
  }
}

function ruleError(at: string, field: string, value: unknown, expected: string): VigilError {
  const name = field === '' ? at : `${at}, field ${field}`;
  return new VigilError(ErrorCodes.RULE_INVALID, `${name}: ${formatValue(value)} is not valid; expected ${expected}`, {
    field: name,
    value,
    expected,
  });
}
