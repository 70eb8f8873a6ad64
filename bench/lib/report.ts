// The tables printed at the end, and one line per run while it runs.
import { isDisturbed } from './summary.ts';
import { MiB, signed } from './stats.ts';
import type { Run, Spread, Target, VariantSummary } from './types.ts';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The kinds of thread the report shows apart (see `threadNanos`); the rest are summed as "other". */
const THREAD_KINDS = ['main', 'V8Worker', 'v8:ProfEvntProc', 'libuv-worker'];

export const ratioCell = (s: Spread | undefined) =>
  s ? `${s.median.toFixed(3)} [${s.min.toFixed(2)}-${s.max.toFixed(2)}]` : '1 (ref)';
export const iqrCell = (s: Spread | undefined) => (s ? `${s.p25.toFixed(3)}-${s.p75.toFixed(3)}` : '');

export function report(summaries: readonly VariantSummary[], targets: readonly Target[]): string {
  const rows1 = summaries.map((s) => [
    s.variant,
    s.absolute.cpuUsPerRequest.toFixed(1),
    ratioCell(s.ratios?.cpuPerRequest),
    iqrCell(s.ratios?.cpuPerRequest),
    s.absolute.reqPerSec.toFixed(0),
    ratioCell(s.ratios?.reqPerSec),
    s.absolute.p99Ms.toFixed(2),
    ratioCell(s.ratios?.p99),
  ]);
  const rows2 = summaries.map((s) => [
    s.variant,
    s.scrape ? s.scrape.medianMs.median.toFixed(2) : '-',
    s.scrape ? `${s.scrape.medianMs.min.toFixed(2)}-${s.scrape.medianMs.max.toFixed(2)}` : '-',
    s.scrape ? s.scrape.cpuMs.median.toFixed(2) : '-',
    s.scrape ? String(s.scrape.bytes) : '-',
    s.scrape ? String(s.scrape.samples) : '-',
    s.absolute.rssMiB.toFixed(1),
    s.rssOverBaselineMiB
      ? `+${s.rssOverBaselineMiB.median.toFixed(1)} [${s.rssOverBaselineMiB.min.toFixed(1)}-${s.rssOverBaselineMiB.max.toFixed(1)}]`
      : '0 (ref)',
    s.absolute.startupMs.toFixed(0),
  ]);
  const profiled = summaries.filter((s) => s.recorder || s.pushes);
  const rows3 = profiled.map((s) => [
    s.variant,
    s.recorder ? s.recorder.windows.median.toFixed(0) : '-',
    s.recorder
      ? `${s.recorder.kib.median.toFixed(0)} [${s.recorder.kib.min.toFixed(0)}-${s.recorder.kib.max.toFixed(0)}]`
      : '-',
    s.pushes ? s.pushes.requests.median.toFixed(0) : '-',
    s.pushes ? s.pushes.kib.median.toFixed(0) : '-',
  ]);
  const threaded = summaries.filter((s) => s.threadsOverBaselineUs);
  const rows4 = threaded.map((s) => {
    const over = s.threadsOverBaselineUs!;
    const cell = (kind: string) => (over[kind] ? signed(over[kind].median, 2) : '-');
    const others = Object.keys(over).filter((kind) => !THREAD_KINDS.includes(kind));
    const rest = others.reduce((sum, kind) => sum + over[kind]!.median, 0);
    return [s.variant, ...THREAD_KINDS.map(cell), others.length > 0 ? signed(rest, 2) : '-'];
  });
  return [
    table(
      [
        'variant',
        'CPU µs/req',
        'CPU ratio [min-max]',
        'CPU IQR',
        'req/s',
        'req/s ratio [min-max]',
        'p99 ms',
        'p99 ratio [min-max]',
      ],
      rows1,
    ),
    '',
    table(
      [
        'variant',
        'scrape ms',
        'scrape ms range',
        'scrape CPU ms',
        'scrape bytes',
        'samples',
        'RSS MiB',
        'RSS over base MiB [min-max]',
        'ready ms',
      ],
      rows2,
    ),
    '',
    ...(rows3.length > 0
      ? [table(['variant', 'recorder windows', 'recorder KiB [min-max]', 'pushes/run', 'pushed KiB/run'], rows3), '']
      : []),
    ...(rows4.length > 0
      ? [
          'CPU per request by thread, µs over the baseline (median of same-round differences): the main thread carries',
          "the run-to-run noise; V8's helpers (GC, compiler) and the CPU profiler's sampler thread resolve finely",
          table(['variant', 'main', 'V8 helpers', 'profiler sampler', 'thread pool', 'other'], rows4),
          '',
        ]
      : []),
    ...targets.map((t) => `${t.verdict.padEnd(4)}  ${t.target}: ${t.detail}`),
  ].join('\n');
}

/** The long phase: one line per variant (medians over the long rounds). */
export function reportLong(summaries: readonly VariantSummary[]): string {
  const rows = summaries.map((s) => [
    s.variant,
    s.absolute.cpuUsPerRequest.toFixed(1),
    ratioCell(s.ratios?.cpuPerRequest),
    s.absolute.p99Ms.toFixed(2),
    s.absolute.rssMiB.toFixed(1),
    s.rssOverBaselineMiB
      ? `${signed(s.rssOverBaselineMiB.median)} [${signed(s.rssOverBaselineMiB.min)} to ${signed(s.rssOverBaselineMiB.max)}]`
      : '0 (ref)',
    s.rssMeanOverBaselineMiB ? signed(s.rssMeanOverBaselineMiB.median) : '0 (ref)',
    s.rssPeakOverBaselineMiB ? signed(s.rssPeakOverBaselineMiB.median) : '0 (ref)',
    s.recorder ? `${s.recorder.windows.median.toFixed(0)}` : '-',
    s.recorder
      ? `${s.recorder.kib.median.toFixed(0)} [${s.recorder.kib.min.toFixed(0)}-${s.recorder.kib.max.toFixed(0)}]`
      : '-',
  ]);
  return table(
    [
      'variant',
      'CPU µs/req',
      'CPU ratio [min-max]',
      'p99 ms',
      'RSS MiB',
      'RSS over base MiB [min-max]',
      'mean over base MiB',
      'peak over base MiB',
      'recorder windows',
      'recorder KiB [min-max]',
    ],
    rows,
  );
}

export function describe(run: Run, rounds: number, round: number): string {
  const warn =
    (run.non2xx + run.socketErrors > 0 ? `  WARNING: ${run.non2xx} non-2xx, ${run.socketErrors} socket errors` : '') +
    (isDisturbed(run)
      ? `  DISTURBED: other processes ${run.foreignCores.toFixed(2)} cores, steal ${run.stealCores.toFixed(2)}`
      : '');
  return (
    `round ${String(round + 1).padStart(2)}/${rounds}  ${run.variant.padEnd(18)} ` +
    `${run.reqPerSec.toFixed(0).padStart(6)} req/s  ${run.cpuUsPerRequest.toFixed(1).padStart(6)} µs CPU/req  ` +
    `p99 ${run.p99Ms.toFixed(2).padStart(6)} ms  RSS ${(run.rssAfterLoadKiB / MiB).toFixed(1)} MiB` +
    (run.scrapes ? `  scrape ${run.scrapes.medianMs.toFixed(2)} ms ${run.scrapes.bytes} B` : '') +
    (run.recorder?.continuous ? `  recorder ${run.recorder.windows} windows ${run.recorder.kib} KiB` : '') +
    (run.pushes ? `  pushed ${run.pushes.requests} x, ${(run.pushes.bytes / 1024).toFixed(0)} KiB` : '') +
    warn
  );
}
