import type { Profile } from 'pprof-format';
import { flameGraph, type FlameGraph, type FlameNode } from './flame-tree.ts';
import { functionTotals } from './function-totals.ts';
import { formatValue } from './top.ts';

export interface DiffOptions {
  /** Sample type to compare (default: the new profile's default, as top). */
  sampleType?: string;
  /** Scale the base so that both totals match (`go tool pprof -normalize`): compare shares, not amounts. */
  normalize?: boolean;
}

export interface DiffRow {
  name: string;
  file: string;
  line: number;
  base: { flat: number; cum: number };
  next: { flat: number; cum: number };
  /** next - base (base scaled when normalized), in the sample type's unit. */
  flatDelta: number;
  cumDelta: number;
  /** Share of the total in each profile, 0..1. */
  flatShare: { base: number; next: number };
  cumShare: { base: number; next: number };
}

export interface ProfileDiff {
  sampleType: string;
  unit: string;
  normalize: boolean;
  baseTotal: number;
  nextTotal: number;
  /** What the base is multiplied by before subtracting (1 unless normalized). */
  scale: number;
  rows: DiffRow[];
}

/** Per function, how two profiles of the same code differ, in flat and cumulative value and share. */
export function diffProfiles(base: Profile, next: Profile, options: DiffOptions = {}): ProfileDiff {
  const after = functionTotals(next, options.sampleType);
  const before = functionTotals(base, after.sampleType);
  const normalize = options.normalize ?? false;
  const scale = normalize && before.total > 0 ? after.total / before.total : 1;
  const share = (v: number, total: number) => (total === 0 ? 0 : v / total);
  const keys = new Set([...before.functions.keys(), ...after.functions.keys()]);
  const rows: DiffRow[] = [];
  for (const key of keys) {
    const b = before.functions.get(key);
    const n = after.functions.get(key);
    const info = (n ?? b)!;
    const bv = { flat: b?.flat ?? 0, cum: b?.cum ?? 0 };
    const nv = { flat: n?.flat ?? 0, cum: n?.cum ?? 0 };
    rows.push({
      name: info.name,
      file: info.file,
      line: info.line,
      base: bv,
      next: nv,
      flatDelta: nv.flat - bv.flat * scale,
      cumDelta: nv.cum - bv.cum * scale,
      flatShare: { base: share(bv.flat, before.total), next: share(nv.flat, after.total) },
      cumShare: { base: share(bv.cum, before.total), next: share(nv.cum, after.total) },
    });
  }
  return {
    sampleType: after.sampleType,
    unit: after.unit,
    normalize,
    baseTotal: before.total,
    nextTotal: after.total,
    scale,
    rows,
  };
}

/** The rows that changed most by flat or by cumulative value, largest change (either sign) first. */
export function mostChanged(diff: ProfileDiff, by: 'flat' | 'cum', limit: number): DiffRow[] {
  const delta = (r: DiffRow) => (by === 'flat' ? r.flatDelta : r.cumDelta);
  return diff.rows
    .filter((r) => delta(r) !== 0)
    .sort((a, b) => Math.abs(delta(b)) - Math.abs(delta(a)) || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** The diff as text: the functions whose flat, then cumulative, value changed most, with their shares before and after. */
export function formatDiff(diff: ProfileDiff, limit = 15): string {
  const fmt = (v: number) => `${v > 0 ? '+' : ''}${formatValue(Math.round(v), diff.unit)}`;
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  const lines = [
    `Type: ${diff.sampleType}`,
    `Total: base ${formatValue(diff.baseTotal, diff.unit)}, new ${formatValue(diff.nextTotal, diff.unit)}${diff.normalize ? ` (base scaled x${diff.scale.toFixed(3)} to match: shares compared)` : ''}`,
  ];
  for (const by of ['flat', 'cum'] as const) {
    const rows = mostChanged(diff, by, limit);
    lines.push('', `Largest changes by ${by === 'flat' ? 'flat (self)' : 'cumulative'} value:`);
    lines.push(`${'delta'.padStart(11)} ${'base%'.padStart(7)} ${'new%'.padStart(7)}  function`);
    if (rows.length === 0) lines.push('  (no change)');
    for (const r of rows) {
      const s = by === 'flat' ? r.flatShare : r.cumShare;
      const where = r.file ? ` ${r.file}${r.line ? `:${r.line}` : ''}` : '';
      lines.push(
        `${fmt(by === 'flat' ? r.flatDelta : r.cumDelta).padStart(11)} ${pct(s.base).padStart(7)} ${pct(s.next).padStart(7)}  ${r.name}${where}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A differential flame graph: the new profile's call tree, each frame with `delta` = its new value minus its base
 * value at the same call path (scaled when normalized). Paths only in the base have no width in the new profile and
 * are not drawn; their loss shows in their parents' deltas.
 */
export function diffFlameGraph(base: Profile, next: Profile, options: DiffOptions = {}): FlameGraph {
  const after = flameGraph(next, options.sampleType);
  const before = flameGraph(base, after.sampleType);
  const scale = options.normalize && before.total > 0 ? after.total / before.total : 1;
  const key = (n: FlameNode) => `${n.name}\0${n.file}\0${n.line}`;
  const annotate = (n: FlameNode, b: FlameNode | undefined) => {
    n.delta = n.value - (b?.value ?? 0) * scale;
    const byKey = new Map((b?.children ?? []).map((c) => [key(c), c]));
    for (const child of n.children) annotate(child, byKey.get(key(child)));
  };
  annotate(after.root, before.root);
  return after;
}
