import type { Profile } from 'pprof-format';
import { functionTotals } from './function-totals.ts';
import { indexProfile } from './profile-index.ts';

export interface GrownFunction {
  name: string;
  file: string;
  line: number;
  /** Self share of the sample type in the baseline and in the incident, 0..1. */
  baselineShare: number;
  incidentShare: number;
}

export interface WhatChangedResult {
  sampleType: string;
  /** Functions whose self share grew, most first. */
  grew: GrownFunction[];
}

/** Frames whose growth says nothing about the incident: being idle more is not a cause. */
const IGNORED = new Set(['(idle)']);

/**
 * How an incident differs from normal: the functions whose self share of CPU time (wall time when the profiles have
 * no CPU time) grew most from the baseline profile to the incident's. Shares, not amounts, so that a baseline of a
 * different length compares fairly.
 */
export function whatChanged(baseline: Profile, incident: Profile, limit = 5): WhatChangedResult {
  const types = indexProfile(incident).types;
  const baselineTypes = new Set(indexProfile(baseline).types);
  const sampleType = ['cpu', 'wall'].find((t) => types.includes(t) && baselineTypes.has(t));
  const after = functionTotals(incident, sampleType);
  const before = functionTotals(baseline, after.sampleType);
  const share = (v: number | undefined, total: number) => (total === 0 || v === undefined ? 0 : v / total);
  const grew: GrownFunction[] = [];
  for (const [key, fn] of after.functions) {
    if (IGNORED.has(fn.name) || fn.flat === 0) continue;
    const baselineShare = share(before.functions.get(key)?.flat, before.total);
    const incidentShare = share(fn.flat, after.total);
    if (incidentShare > baselineShare)
      grew.push({ name: fn.name, file: fn.file, line: fn.line, baselineShare, incidentShare });
  }
  grew.sort(
    (a, b) => b.incidentShare - b.baselineShare - (a.incidentShare - a.baselineShare) || a.name.localeCompare(b.name),
  );
  return { sampleType: after.sampleType, grew: grew.slice(0, limit) };
}

/** One line per grown function: `+31.2 pts  blockEventLoop (0.0% -> 31.2% of cpu)  file:line`. */
export function formatWhatChanged(result: { sampleType: string; grew: readonly GrownFunction[] }): string[] {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return result.grew.map((g) => {
    const where = g.file ? `  ${g.file}${g.line ? `:${g.line}` : ''}` : '';
    return `+${((g.incidentShare - g.baselineShare) * 100).toFixed(1)} pts  ${g.name} (${pct(g.baselineShare)} -> ${pct(g.incidentShare)} of ${result.sampleType})${where}`;
  });
}
