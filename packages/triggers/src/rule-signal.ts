import { DataPointType, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { EMPTY_DELTA, deltaOf, histogramStat, mergeDeltas, type HistogramDelta } from './histogram-stats.ts';
import type { MetricQuery, Selector } from './metric-query.ts';
import type { QuantityKind } from './quantity.ts';

/** What one evaluation of a rule's metric gave. */
export type Reading =
  /** The value in the threshold's base unit (seconds, bytes, a ratio, a count). */
  | { kind: 'value'; value: number }
  /** The metric is there but has nothing to say yet (a window still filling, a histogram with no points). */
  | { kind: 'no-data' }
  /** No series matches (yet). */
  | { kind: 'absent' }
  /** The series is of a kind, or in a unit, the rule cannot read: the rule stays idle, and this says why. */
  | { kind: 'invalid'; problem: string };

export type Snapshot = ReadonlyMap<string, readonly MetricData[]>;

/** Names to look for in the snapshot, per selector: the OpenTelemetry name, or what the naming mode renamed it to. */
export type ResolveName = (selector: Selector) => Selector;

/**
 * Reads one rule's metric from each collection and keeps the short history its stat needs (a `deriv` or `rate` window,
 * a histogram statistic's window of deltas). Bounded: one entry per evaluation within the window.
 */
export class RuleSignal {
  readonly #query: MetricQuery;
  readonly #thresholdKind: QuantityKind;
  readonly #resolve: ResolveName;
  readonly #samples: { at: number; value: number }[] = [];
  readonly #deltas: { at: number; delta: HistogramDelta }[] = [];
  #resetOffset = 0;
  #lastCumulative: number | undefined;

  constructor(query: MetricQuery, thresholdKind: QuantityKind, resolve: ResolveName) {
    this.#query = query;
    this.#thresholdKind = thresholdKind;
    this.#resolve = resolve;
  }

  read(snapshot: Snapshot, now: number): Reading {
    const { stat, numerator, denominator } = this.#query;
    const top = this.#points(snapshot, numerator);
    if (top === undefined) return { kind: 'absent' };
    if (denominator !== undefined) {
      const bottom = this.#points(snapshot, denominator);
      if (bottom === undefined) return { kind: 'absent' };
      const problem = this.#expectScalar(top, 'value') ?? this.#expectScalar(bottom, 'value');
      if (problem) return { kind: 'invalid', problem };
      if (this.#thresholdKind === 'duration' || this.#thresholdKind === 'size') {
        return {
          kind: 'invalid',
          problem: 'a ratio has no unit: write the threshold as a percentage (90%) or a plain number',
        };
      }
      const below = sum(bottom.points);
      if (below === 0) return { kind: 'no-data' };
      return this.#scalar(sum(top.points) / below, now, 1);
    }

    const unit = top.metric.descriptor.unit;
    if (stat.kind === 'histogram') {
      if (!isHistogram(top.metric))
        return {
          kind: 'invalid',
          problem: `${top.metric.descriptor.name} is not a histogram: its statistic ${stat.of} cannot be read (remove stat, or use deriv/rate)`,
        };
      const factor = stat.of === 'count' ? factorOf('', this.#thresholdKind) : factorOf(unit, this.#thresholdKind);
      if (factor === undefined) return { kind: 'invalid', problem: mismatch(unit, this.#thresholdKind) };
      const delta = mergeDeltas(top.points.map((p) => deltaOf(top.metric, p)));
      this.#deltas.push({ at: now, delta });
      while (this.#deltas.length > 0 && this.#deltas[0]!.at <= now - stat.windowMillis && this.#deltas.length > 1)
        this.#deltas.shift();
      const window = stat.windowMillis === 0 ? [delta] : this.#deltas.map((d) => d.delta);
      const value = histogramStat(window.length === 0 ? EMPTY_DELTA : mergeDeltas(window), stat.of, stat.quantile);
      return value === undefined
        ? { kind: 'no-data' }
        : { kind: 'value', value: stat.of === 'count' ? value : value * factor };
    }
    const problem = this.#expectScalar(top, stat.kind === 'rate' ? 'rate' : 'value');
    if (problem) return { kind: 'invalid', problem };
    const factor = factorOf(unit, this.#thresholdKind);
    if (factor === undefined) return { kind: 'invalid', problem: mismatch(unit, this.#thresholdKind) };
    if (stat.kind === 'rate') return this.#rate(sum(top.points), now, stat.windowMillis, factor);
    return this.#scalar(sum(top.points), now, factor);
  }

  #scalar(value: number, now: number, factor: number): Reading {
    const stat = this.#query.stat;
    if (stat.kind !== 'deriv') return { kind: 'value', value: value * factor };
    const samples = this.#keep(now, value, stat.windowMillis);
    // Not before half a window of samples: the slope of a few points says little about a trend.
    if (now - samples[0]!.at < stat.windowMillis / 2) return { kind: 'no-data' };
    return { kind: 'value', value: slopePerSecond(samples) * factor };
  }

  #rate(cumulative: number, now: number, windowMillis: number, factor: number): Reading {
    // A counter that went down was reset (a restart of its source): count from there, as Prometheus' rate() does.
    if (this.#lastCumulative !== undefined && cumulative < this.#lastCumulative)
      this.#resetOffset += this.#lastCumulative;
    this.#lastCumulative = cumulative;
    const samples = this.#keep(now, cumulative + this.#resetOffset, windowMillis);
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    if (samples.length < 2 || now - first.at < windowMillis / 2) return { kind: 'no-data' };
    return { kind: 'value', value: ((last.value - first.value) / ((last.at - first.at) / 1_000)) * factor };
  }

  #keep(now: number, value: number, windowMillis: number): { at: number; value: number }[] {
    this.#samples.push({ at: now, value });
    while (this.#samples.length > 1 && this.#samples[0]!.at < now - windowMillis) this.#samples.shift();
    return this.#samples;
  }

  /** The matching points of the selector's instrument, or undefined when no series matches. */
  #points(snapshot: Snapshot, selector: Selector): { metric: MetricData; points: DataPoint<unknown>[] } | undefined {
    const resolved = this.#resolve(selector);
    const metrics = snapshot.get(resolved.name);
    if (metrics === undefined) return undefined;
    const points: DataPoint<unknown>[] = [];
    for (const metric of metrics) {
      for (const point of metric.dataPoints as DataPoint<unknown>[]) {
        if (resolved.matchers.every((m) => (String(point.attributes[m.key] ?? '') === m.value) === (m.op === '=')))
          points.push(point);
      }
    }
    // A histogram with nothing recorded this interval has no point: it is there, with no data.
    if (points.length === 0 && !(isHistogram(metrics[0]!) && this.#deltas.length > 0)) return undefined;
    return { metric: metrics[0]!, points };
  }

  #expectScalar(found: { metric: MetricData }, as: 'value' | 'rate'): string | undefined {
    const { metric } = found;
    const name = metric.descriptor.name;
    if (isHistogram(metric)) return `${name} is a histogram: read it with stat p99, max, mean, min, count or sum`;
    const monotonic = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
    if (as === 'rate' && !monotonic)
      return `${name} is not a counter: rate() reads counters; for a gauge use deriv(window)`;
    if (as === 'value' && monotonic) return `${name} is a counter, which only grows: read it with stat rate(1m)`;
    return undefined;
  }
}

function isHistogram(metric: MetricData): boolean {
  return (
    metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM
  );
}

function sum(points: readonly DataPoint<unknown>[]): number {
  let total = 0;
  for (const p of points) total += p.value as number;
  return total;
}

/** Least-squares slope of the samples, per second. */
function slopePerSecond(samples: readonly { at: number; value: number }[]): number {
  const n = samples.length;
  let meanT = 0;
  let meanV = 0;
  for (const s of samples) {
    meanT += s.at;
    meanV += s.value;
  }
  meanT /= n;
  meanV /= n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.at - meanT) * (s.value - meanV);
    variance += (s.at - meanT) ** 2;
  }
  return variance === 0 ? 0 : (covariance / variance) * 1_000;
}

const DURATION: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9, min: 60, h: 3_600, '': 1 };
const SIZE: Record<string, number> = {
  By: 1,
  KiBy: 1024,
  MiBy: 1024 ** 2,
  GiBy: 1024 ** 3,
  kBy: 1e3,
  MBy: 1e6,
  GBy: 1e9,
  '': 1,
};
const RATIO: Record<string, number> = { '1': 1, '': 1, '%': 0.01 };

/**
 * The factor from the instrument's unit (UCUM, as OpenTelemetry writes it) to the threshold's base unit, or undefined
 * when they cannot be compared (a duration threshold on a size). A per-second unit compares as its base (By/s: bytes).
 */
export function factorOf(unit: string, kind: QuantityKind): number | undefined {
  const base = unit.replace(/\/s$/, '');
  if (kind === 'number') return 1;
  const table = kind === 'duration' ? DURATION : kind === 'size' ? SIZE : RATIO;
  return table[base];
}

function mismatch(unit: string, kind: QuantityKind): string {
  const wanted = kind === 'duration' ? 'a time unit (s, ms)' : kind === 'size' ? 'a size unit (By)' : 'unit 1 or %';
  return `the threshold is a ${kind} but the instrument's unit is "${unit}" (a ${kind} needs ${wanted}); write the threshold in the instrument's unit or as a plain number`;
}
