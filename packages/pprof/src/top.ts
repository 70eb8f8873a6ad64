import type { Profile } from 'pprof-format';
import { functionTotals } from './function-totals.ts';

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
  const totals = functionTotals(profile, sampleType);
  const rows = [...totals.functions.values()]
    .map(({ flat, cum, name, file, line }) => ({ flat, cum, name, file, line }))
    .sort((a, b) => b.flat - a.flat || b.cum - a.cum || a.name.localeCompare(b.name));
  return { sampleType: totals.sampleType, unit: totals.unit, total: totals.total, rows };
}

/** The table as text, like `go tool pprof -top`: flat, flat%, sum%, cum, cum%, function and file:line. */
export function formatTop(table: TopTable, limit = 30): string {
  const fmt = (v: number) => formatValue(v, table.unit);
  const pct = (v: number) => `${table.total === 0 ? '0.00' : ((v / table.total) * 100).toFixed(2)}%`;
  const lines = [
    `Type: ${table.sampleType}`,
    `Showing top ${Math.min(limit, table.rows.length)} of ${table.rows.length} functions, total ${fmt(table.total)}`,
  ];
  lines.push(
    `${'flat'.padStart(10)} ${'flat%'.padStart(7)} ${'sum%'.padStart(7)} ${'cum'.padStart(10)} ${'cum%'.padStart(7)}  function`,
  );
  let sum = 0;
  for (const row of table.rows.slice(0, limit)) {
    sum += row.flat;
    const where = row.file ? ` ${row.file}${row.line ? `:${row.line}` : ''}` : '';
    lines.push(
      `${fmt(row.flat).padStart(10)} ${pct(row.flat).padStart(7)} ${pct(sum).padStart(7)} ${fmt(row.cum).padStart(10)} ${pct(row.cum).padStart(7)}  ${row.name}${where}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A value in its unit, as `go tool pprof` prints it (ns as ms/s, bytes as kB/MB). */
export function formatValue(value: number, unit: string): string {
  const size = Math.abs(value);
  if (unit === 'nanoseconds') {
    if (size >= 1e9) return `${(value / 1e9).toFixed(2)}s`;
    return `${(value / 1e6).toFixed(2)}ms`;
  }
  if (unit === 'bytes') {
    if (size >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(2)}MB`;
    if (size >= 1024) return `${(value / 1024).toFixed(2)}kB`;
    return `${value}B`;
  }
  return String(value);
}
