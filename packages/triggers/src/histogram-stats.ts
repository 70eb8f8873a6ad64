import { DataPointType, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import type { Histogram, ExponentialHistogram } from '@opentelemetry/sdk-metrics';
import type { HistogramStat } from './metric-query.ts';

/** A histogram's points of one interval (or several, merged): buckets as [upper bound, count], sorted. */
export interface HistogramDelta {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: [number, number][];
}

export const EMPTY_DELTA: HistogramDelta = { count: 0, sum: 0, min: Infinity, max: -Infinity, buckets: [] };

/** The points of an explicit or exponential histogram as one delta. */
export function deltaOf(metric: MetricData, point: DataPoint<unknown>): HistogramDelta {
  if (metric.dataPointType === DataPointType.HISTOGRAM) {
    const h = point.value as Histogram;
    const buckets: [number, number][] = [];
    h.buckets.counts.forEach((count, i) => {
      if (count > 0) buckets.push([h.buckets.boundaries[i] ?? Infinity, count]);
    });
    return { count: h.count, sum: h.sum ?? 0, min: h.min ?? Infinity, max: h.max ?? -Infinity, buckets };
  }
  const h = point.value as ExponentialHistogram;
  const base = 2 ** (2 ** -h.scale);
  const buckets: [number, number][] = [];
  if (h.zeroCount > 0) buckets.push([0, h.zeroCount]);
  h.positive.bucketCounts.forEach((count, i) => {
    if (count > 0) buckets.push([base ** (h.positive.offset + i + 1), count]);
  });
  // Negative values are rare for durations and sizes; they count at zero, so that quantiles stay conservative.
  const negatives = h.negative.bucketCounts.reduce((a, b) => a + b, 0);
  if (negatives > 0) buckets.push([0, negatives]);
  buckets.sort((a, b) => a[0] - b[0]);
  return { count: h.count, sum: h.sum ?? 0, min: h.min ?? Infinity, max: h.max ?? -Infinity, buckets };
}

export function mergeDeltas(deltas: readonly HistogramDelta[]): HistogramDelta {
  if (deltas.length === 1) return deltas[0]!;
  const merged: HistogramDelta = { count: 0, sum: 0, min: Infinity, max: -Infinity, buckets: [] };
  for (const d of deltas) {
    merged.count += d.count;
    merged.sum += d.sum;
    merged.min = Math.min(merged.min, d.min);
    merged.max = Math.max(merged.max, d.max);
    merged.buckets.push(...d.buckets);
  }
  merged.buckets.sort((a, b) => a[0] - b[0]);
  return merged;
}

/**
 * A statistic of the delta; undefined when nothing was recorded (no crossing). Quantiles interpolate linearly inside
 * the bucket, as Prometheus' histogram_quantile does, bounded by the recorded min and max (which OpenTelemetry keeps).
 */
export function histogramStat(d: HistogramDelta, of: HistogramStat, quantile = 0.5): number | undefined {
  if (of === 'count') return d.count;
  if (of === 'sum') return d.sum;
  if (d.count === 0) return undefined;
  if (of === 'max') return d.max;
  if (of === 'min') return d.min;
  if (of === 'mean') return d.sum / d.count;
  const target = quantile * d.count;
  let cumulative = 0;
  let lower = Number.isFinite(d.min) ? d.min : 0;
  for (const [upper, count] of d.buckets) {
    const top = Math.min(upper, d.max);
    if (cumulative + count >= target) return lower + (top - lower) * ((target - cumulative) / count);
    cumulative += count;
    lower = Math.max(lower, top);
  }
  return d.max;
}
