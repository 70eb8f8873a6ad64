import type { Profile } from 'pprof-format';
import { indexProfile, sampleFunctions, sampleTypeIndex } from './profile-index.ts';

/** One frame of a flame graph, in the `{ name, value, children }` shape d3-flame-graph draws. */
export interface FlameNode {
  name: string;
  file: string;
  line: number;
  /** This frame's value with its callees' (total, not self). */
  value: number;
  children: FlameNode[];
  /** Differential graphs only: value in the new profile minus the (scaled) base value. */
  delta?: number;
}

export interface FlameGraph {
  sampleType: string;
  unit: string;
  total: number;
  root: FlameNode;
}

interface Building {
  node: FlameNode;
  children: Map<string, Building>;
}

/** The root frame's name: the whole profile. */
export const FLAME_ROOT = 'all';

/**
 * The call tree of one sample type, root first: each sample's stack (leaf first in pprof) is walked from its outermost
 * frame, inlined frames expanded, and frames with the same function under the same parent are merged.
 */
export function flameGraph(profile: Profile, sampleType?: string): FlameGraph {
  const index = indexProfile(profile);
  const typeIndex = sampleTypeIndex(index, sampleType);
  const root: Building = { node: { name: FLAME_ROOT, file: '', line: 0, value: 0, children: [] }, children: new Map() };
  for (const sample of profile.sample) {
    const value = Number(sample.value[typeIndex] ?? 0);
    if (value === 0) continue;
    root.node.value += value;
    const stack = sampleFunctions(index, sample);
    let at = root;
    for (let i = stack.length - 1; i >= 0; i--) {
      const fn = stack[i]!;
      let child = at.children.get(fn.key);
      if (child === undefined) {
        child = { node: { name: fn.name, file: fn.file, line: fn.line, value: 0, children: [] }, children: new Map() };
        at.children.set(fn.key, child);
        at.node.children.push(child.node);
      }
      child.node.value += value;
      at = child;
    }
  }
  return {
    sampleType: index.types[typeIndex] ?? '',
    unit: index.units[typeIndex] ?? '',
    total: root.node.value,
    root: root.node,
  };
}

/** A flame graph per sample type of the profile that has any value (e.g. cpu and wall of a CPU capture). */
export function flameGraphs(profile: Profile): FlameGraph[] {
  const types = indexProfile(profile).types;
  return types.map((t) => flameGraph(profile, t)).filter((g) => g.total > 0);
}
