import { ErrorCodes, VigilError, formatValue, parseBytes, parseDuration } from '@vigil/core';
import { RULE_METRICS, type MetricUnit } from './metrics.ts';

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
  metric: string;
  /** Fires when the value is above (or below) the threshold, in the metric's base unit... */
  direction: 'above' | 'below';
  threshold: number;
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
  above?: unknown;
  below?: unknown;
  rise?: unknown;
  window?: unknown;
  floor?: unknown;
  for?: unknown;
  cooldown?: unknown;
  capture?: unknown;
}

const RULE_KEYS = new Set(['name', 'metric', 'above', 'below', 'rise', 'window', 'floor', 'for', 'cooldown', 'capture']);
const CAPTURE_KEYS = new Set(['cpu', 'lookback', 'heap', 'handles', 'heapsnapshot']);

/** Validates rules: unknown metric, bad unit, duplicate name... each an error naming the rule and the field. */
export function parseRules(inputs: readonly unknown[], source: string): Rule[] {
  const seen = new Set<string>();
  return inputs.map((input, index) => {
    const rule = parseRule(input, `${source}: rules[${index}]`);
    if (seen.has(rule.name)) throw ruleError(`${source}: rule "${rule.name}"`, 'name', rule.name, 'a name used by one rule only');
    seen.add(rule.name);
    return rule;
  });
}

function parseRule(input: unknown, where: string): Rule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw ruleError(where, '', input, 'a mapping with name, metric, above|below|rise, capture');
  const raw = input as RuleInput & Record<string, unknown>;
  if (typeof raw.name !== 'string' || !/^[a-z0-9][a-z0-9_.-]*$/i.test(raw.name)) throw ruleError(where, 'name', raw.name, 'a name of letters, digits, ".", "_" and "-"');
  const at = `${where.replace(/rules\[\d+\]$/, '')}rule "${raw.name}"`;
  for (const key of Object.keys(raw)) if (!RULE_KEYS.has(key)) throw ruleError(at, key, raw[key], `one of the fields ${[...RULE_KEYS].join(', ')}`);
  if (typeof raw.metric !== 'string' || RULE_METRICS[raw.metric] === undefined) {
    throw ruleError(at, 'metric', raw.metric, `one of ${Object.keys(RULE_METRICS).join(', ')}`);
  }
  const unit = RULE_METRICS[raw.metric]!.unit;
  const given = ['above', 'below', 'rise'].filter((k) => raw[k] !== undefined);
  if (given.length !== 1) throw ruleError(at, 'above', raw.above, 'exactly one of above, below or rise');
  const forMillis = optionalDuration(raw.for, at, 'for', 0);
  const cooldownMillis = optionalDuration(raw.cooldown, at, 'cooldown', 300_000);
  const capture = parseCapture(raw.capture, at);

  if (raw.rise !== undefined) {
    const rise = quantity(raw.rise, 'ratio', at, 'rise');
    const windowMillis = optionalDuration(raw.window, at, 'window', 600_000);
    if (windowMillis < 10_000) throw ruleError(at, 'window', raw.window, 'a window of at least 10s');
    const floor = raw.floor === undefined ? 0 : quantity(raw.floor, unit, at, 'floor');
    return { name: raw.name, metric: raw.metric, direction: 'above', threshold: floor, relative: { rise, windowMillis, floor }, forMillis, cooldownMillis, capture, thresholdText: `+${String(raw.rise)} over ${String(raw.window ?? '10m')}` };
  }
  for (const key of ['window', 'floor'] as const) if (raw[key] !== undefined) throw ruleError(at, key, raw[key], `${key} only with rise`);
  const direction = raw.above !== undefined ? 'above' : 'below';
  const threshold = quantity(raw[direction], unit, at, direction);
  return { name: raw.name, metric: raw.metric, direction, threshold, forMillis, cooldownMillis, capture, thresholdText: String(raw[direction]) };
}

function parseCapture(raw: unknown, at: string): CapturePlan {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw ruleError(at, 'capture', raw, 'a mapping such as { cpu: 10s, lookback: 10s } or { heap: true }');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) if (!CAPTURE_KEYS.has(key)) throw ruleError(at, `capture.${key}`, c[key], `one of ${[...CAPTURE_KEYS].join(', ')}`);
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
  if (plan.lookbackMillis > 0 && plan.cpuMillis === 0) throw ruleError(at, 'capture.lookback', c.lookback, 'lookback with a cpu capture (cpu: 10s)');
  if (plan.cpuMillis === 0 && !plan.heap && !plan.handles && !plan.heapsnapshot) throw ruleError(at, 'capture', raw, 'at least one of cpu, heap, handles, heapsnapshot');
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

const UNIT_TEXT: Record<MetricUnit, string> = {
  seconds: 'a duration such as "200ms" or "1s"',
  bytes: 'a size such as "512MiB" or "2GiB"',
  'bytes-per-second': 'a size per second such as "1MiB" (per second)',
  ratio: 'a percentage such as "90%" or a ratio such as 0.9',
  count: 'a plain number such as 1000',
};

/** A threshold in the metric's base unit; a unit of the wrong kind is an error. */
function quantity(raw: unknown, unit: MetricUnit, at: string, field: string): number {
  const fail = () => ruleError(at, field, raw, UNIT_TEXT[unit]);
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) throw fail();
    return raw; // a plain number is in the base unit: seconds, bytes, a ratio, a count
  }
  if (typeof raw !== 'string') throw fail();
  const text = raw.trim();
  const plain = /^\d+(\.\d+)?$/;
  switch (unit) {
    case 'seconds':
      if (plain.test(text)) return Number(text);
      if (!/^\d+(\.\d+)?\s*(ms|s|m|h)$/.test(text)) throw fail();
      return parseDuration(text, field) / 1_000;
    case 'bytes':
    case 'bytes-per-second': {
      const size = unit === 'bytes-per-second' ? text.replace(/\/s$/, '') : text;
      if (!/^\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib)?$/i.test(size)) throw fail();
      return parseBytes(size, field);
    }
    case 'ratio': {
      const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
      if (percent) return Number(percent[1]) / 100;
      if (plain.test(text)) return Number(text);
      throw fail();
    }
    case 'count':
      if (plain.test(text)) return Number(text);
      throw fail();
  }
}

function ruleError(at: string, field: string, value: unknown, expected: string): VigilError {
  const name = field === '' ? at : `${at}, field ${field}`;
  return new VigilError(ErrorCodes.RULE_INVALID, `${name}: ${formatValue(value)} is not valid; expected ${expected}`, { field: name, value, expected });
}
