import type { Profile } from 'pprof-format';
import { indexProfile, sampleFunctions, sampleTypeIndex, type FunctionInfo } from './profile-index.ts';

export interface FunctionTotal extends FunctionInfo {
  /** Value of the samples whose leaf is this function (self). */
  flat: number;
  /** Value of the samples this function is on the stack of, counted once per sample. */
  cum: number;
}

export interface FunctionTotals {
  sampleType: string;
  unit: string;
  /** Sum of the sample type over all samples. */
  total: number;
  /** By function key (stable between profiles of the same code). */
  functions: Map<string, FunctionTotal>;
}

/** Flat and cumulative values of one sample type per function: what top tables, diffs and "what changed" rank. */
export function functionTotals(profile: Profile, sampleType?: string): FunctionTotals {
  const index = indexProfile(profile);
  const typeIndex = sampleTypeIndex(index, sampleType);
  const functions = new Map<string, FunctionTotal>();
  let total = 0;
  for (const sample of profile.sample) {
    const value = Number(sample.value[typeIndex] ?? 0);
    if (value === 0) continue;
    total += value;
    const seen = new Set<string>();
    sampleFunctions(index, sample).forEach((fn, depth) => {
      let entry = functions.get(fn.key);
      if (entry === undefined) functions.set(fn.key, (entry = { ...fn, flat: 0, cum: 0 }));
      if (depth === 0) entry.flat += value;
      if (!seen.has(fn.key)) {
        seen.add(fn.key);
        entry.cum += value;
      }
    });
  }
  return { sampleType: index.types[typeIndex] ?? '', unit: index.units[typeIndex] ?? '', total, functions };
}
