import type { CaptureFilter } from '@vigil/store';
import type { CaptureSource } from '../source.ts';

/** `vigil captures [--trace ID] [--type T] [--rule R] [--service S] [--host H] [--pid P] [--since T] [--until T] [--json]`. */
export async function capturesCommand(
  source: CaptureSource,
  filter: CaptureFilter,
  options: { json: boolean },
): Promise<string> {
  const list = await source.list({ limit: 50, ...filter });
  if (options.json) return `${JSON.stringify(list, null, 2)}\n`;
  if (list.length === 0) return `no captures${filter.traceId ? ` of trace ${filter.traceId}` : ''} in ${source.name}\n`;
  const rows = list.map((c) => [
    c.id,
    c.type,
    c.service,
    `${c.host}:${c.pid}`,
    c.startedAt.replace('T', ' ').slice(0, 19),
    `${Math.round((Date.parse(c.endedAt) - Date.parse(c.startedAt)) / 1_000)}s`,
    `${c.reason.kind}${c.reason.name ? `:${c.reason.name}` : ''}`,
    String(c.traceCount),
    String(c.samples),
  ]);
  const header = ['ID', 'TYPE', 'SERVICE', 'INSTANCE', 'STARTED (UTC)', 'SPAN', 'REASON', 'TRACES', 'SAMPLES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
