// Quantiles, spreads and the pairwise (same-round) comparisons every figure is made of.
import type { Run, Spread } from './types.ts';

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function spread(values: readonly number[]): Spread {
  return {
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

export const MiB = 1024;

/** Per round, `pick(a's run, b's run)` where both variants ran in that round. */
export function pairwise(
  runs: readonly Run[],
  a: string,
  b: string,
  pick: (ra: Run, rb: Run) => number,
): Spread | undefined {
  const bOf = new Map(runs.filter((r) => r.variant === b).map((r) => [r.round, r]));
  const values = runs
    .filter((r) => r.variant === a)
    .flatMap((r) => {
      const other = bOf.get(r.round);
      return other ? [pick(r, other)] : [];
    });
  return values.length > 0 ? spread(values) : undefined;
}

export const cpuRatio = (a: Run, b: Run) => a.cpuUsPerRequest / b.cpuUsPerRequest;
export const rssDiffMiB = (a: Run, b: Run) => (a.rssAfterLoadKiB - b.rssAfterLoadKiB) / MiB;
export const fmtRatio = (s: Spread) =>
  `${s.median.toFixed(3)}x [${s.min.toFixed(3)}-${s.max.toFixed(3)}] (IQR ${s.p25.toFixed(3)}-${s.p75.toFixed(3)}, ${s.n} rounds)`;
export const signed = (v: number, digits = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
export const fmtMiB = (s: Spread) => `${signed(s.median)} MiB [${signed(s.min)} to ${signed(s.max)}] (${s.n} rounds)`;
