import type { Profile } from 'pprof-format';

export interface TopRow {
  flat: number;
  cum: number;
  name: string;
  file: string;
  line: number;
}

export interface TopTable {
  sampleType: string;
  unit: string;
  total: number;
  rows: TopRow[];
}

/**
 * The `go tool pprof -top` view of a profile: per function, flat (self) and cumulative values of one sample type
 * (default: the profile's default sample type, else the last one, as pprof does).
 */
export function topTable(profile: Profile, sampleType?: string): TopTable {
  const strings = profile.stringTable.strings;
  const types = profile.sampleType.map((t) => strings[Number(t.type)] ?? '');
  const defaultType = profile.defaultSampleType ? strings[Number(profile.defaultSampleType)] : undefined;
  const wanted = sampleType ?? defaultType ?? types[types.length - 1] ?? '';
  const index = types.indexOf(wanted);
  if (index < 0) throw new Error(`no sample type "${wanted}" in this profile; it has ${types.join(', ')}`);
  const unit = strings[Number(profile.sampleType[index]?.unit ?? 0)] ?? '';

  const functions = new Map<number, { name: string; file: string; line: number }>();
  for (const fn of profile.function) {
    functions.set(Number(fn.id), {
      name: strings[Number(fn.name)] ?? '?',
      file: strings[Number(fn.filename)] ?? '',
      line: Number(fn.startLine),
    });
  }
  const locations = new Map<number, number[]>();
  for (const loc of profile.location) locations.set(Number(loc.id), loc.line.map((l) => Number(l.functionId)));

  const flat = new Map<number, number>();
  const cum = new Map<number, number>();
  let total = 0;
  for (const sample of profile.sample) {
    const value = Number(sample.value[index] ?? 0);
    if (value === 0) continue;
    total += value;
    const seen = new Set<number>();
    sample.locationId.forEach((locationId, depth) => {
      const fns = locations.get(Number(locationId)) ?? [];
      fns.forEach((fn, inlineDepth) => {
        if (depth === 0 && inlineDepth === 0) flat.set(fn, (flat.get(fn) ?? 0) + value);
        if (!seen.has(fn)) {
          seen.add(fn);
          cum.set(fn, (cum.get(fn) ?? 0) + value);
        }
      });
    });
  }
  const rows = [...cum.entries()]
    .map(([id, c]) => ({ flat: flat.get(id) ?? 0, cum: c, ...(functions.get(id) ?? { name: '?', file: '', line: 0 }) }))
    .sort((a, b) => b.flat - a.flat || b.cum - a.cum || a.name.localeCompare(b.name));
  return { sampleType: types[index] ?? '', unit, total, rows };
}

/** The table as text, like `go tool pprof -top`: flat, flat%, sum%, cum, cum%, function and file:line. */
export function formatTop(table: TopTable, limit = 30): string {
  const fmt = (v: number) => formatValue(v, table.unit);
  const pct = (v: number) => `${table.total === 0 ? '0.00' : ((v / table.total) * 100).toFixed(2)}%`;
  const lines = [`Type: ${table.sampleType}`, `Showing top ${Math.min(limit, table.rows.length)} of ${table.rows.length} functions, total ${fmt(table.total)}`];
  lines.push(`${'flat'.padStart(10)} ${'flat%'.padStart(7)} ${'sum%'.padStart(7)} ${'cum'.padStart(10)} ${'cum%'.padStart(7)}  function`);
  let sum = 0;
  for (const row of table.rows.slice(0, limit)) {
    sum += row.flat;
    const where = row.file ? ` ${row.file}${row.line ? `:${row.line}` : ''}` : '';
    lines.push(`${fmt(row.flat).padStart(10)} ${pct(row.flat).padStart(7)} ${pct(sum).padStart(7)} ${fmt(row.cum).padStart(10)} ${pct(row.cum).padStart(7)}  ${row.name}${where}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatValue(value: number, unit: string): string {
  if (unit === 'nanoseconds') {
    if (value >= 1e9) return `${(value / 1e9).toFixed(2)}s`;
    return `${(value / 1e6).toFixed(2)}ms`;
  }
  if (unit === 'bytes') {
    if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(2)}MB`;
    if (value >= 1024) return `${(value / 1024).toFixed(2)}kB`;
    return `${value}B`;
  }
  return String(value);
}
