import type { CaptureSource } from '../source.ts';
import type { CaptureType } from '@vigil/store';

/** `vigil captures [--trace ID] [--type T] [--rule R] [--json]`: a table of captures, newest first. */
export async function capturesCommand(source: CaptureSource, options: { trace?: string; type?: string; rule?: string; json: boolean; limit?: number }): Promise<string> {
  const list = await source.list({ traceId: options.trace, type: options.type as CaptureType | undefined, rule: options.rule, limit: options.limit ?? 50 });
  if (options.json) return `${JSON.stringify(list, null, 2)}\n`;
  if (list.length === 0) return `no captures${options.trace ? ` of trace ${options.trace}` : ''} in ${source.name}\n`;
  const rows = list.map((c) => [c.id, c.type, c.startedAt.replace('T', ' ').slice(0, 19), `${Math.round((Date.parse(c.endedAt) - Date.parse(c.startedAt)) / 1_000)}s`, `${c.reason.kind}${c.reason.name ? `:${c.reason.name}` : ''}`, String(c.traceCount), String(c.samples)]);
  const header = ['ID', 'TYPE', 'STARTED (UTC)', 'SPAN', 'REASON', 'TRACES', 'SAMPLES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
