// Per variant: medians of the absolute figures and the spread of the same-round ratios to the baseline.
import { options, variants } from './options.ts';
import { MiB, quantile, spread } from './stats.ts';
import type { Run, Spread, VariantSummary } from './types.ts';
import { BASELINE } from './variants.ts';

export function summarize(runs: readonly Run[]): VariantSummary[] {
  const baselineOf = new Map(runs.filter((r) => r.variant === BASELINE).map((r) => [r.round, r]));
  return variants.flatMap((variant) => {
    const mine = runs.filter((r) => r.variant === variant.name);
    if (mine.length === 0) return []; // not in this phase (--long-variants)
    const pairs = mine.flatMap((r) => {
      const base = baselineOf.get(r.round);
      return base ? [[r, base] as const] : [];
    });
    const ratio = (pick: (run: Run) => number) => spread(pairs.map(([r, b]) => pick(r) / pick(b)));
    const scraped = mine.flatMap((r) => (r.scrapes ? [r.scrapes] : []));
    const recorded = mine.flatMap((r) => (r.recorder?.continuous ? [r.recorder] : []));
    const pushed = mine.flatMap((r) => (r.pushes ? [r.pushes] : []));
    return {
      variant: variant.name,
      label: variant.label,
      runs: mine.length,
      absolute: {
        cpuUsPerRequest: quantile(
          mine.map((r) => r.cpuUsPerRequest),
          0.5,
        ),
        schedUsPerRequest: quantile(
          mine.map((r) => r.schedUsPerRequest),
          0.5,
        ),
        reqPerSec: quantile(
          mine.map((r) => r.reqPerSec),
          0.5,
        ),
        p99Ms: quantile(
          mine.map((r) => r.p99Ms),
          0.5,
        ),
        rssMiB:
          quantile(
            mine.map((r) => r.rssAfterLoadKiB),
            0.5,
          ) / MiB,
        rssEndMiB:
          quantile(
            mine.map((r) => r.rssEndKiB),
            0.5,
          ) / MiB,
        startupMs: quantile(
          mine.map((r) => r.startupMs),
          0.5,
        ),
      },
      ...(variant.name === BASELINE
        ? {}
        : {
            ratios: {
              cpuPerRequest: ratio((r) => r.cpuUsPerRequest),
              schedPerRequest: ratio((r) => r.schedUsPerRequest),
              reqPerSec: ratio((r) => r.reqPerSec),
              p99: ratio((r) => r.p99Ms),
            },
            rssOverBaselineMiB: spread(pairs.map(([r, b]) => (r.rssAfterLoadKiB - b.rssAfterLoadKiB) / MiB)),
            rssMeanOverBaselineMiB: spread(pairs.map(([r, b]) => (r.rssMeanKiB - b.rssMeanKiB) / MiB)),
            rssPeakOverBaselineMiB: spread(pairs.map(([r, b]) => (r.rssPeakKiB - b.rssPeakKiB) / MiB)),
            threadsOverBaselineUs: threadDifferences(pairs),
          }),
      ...(scraped.length > 0
        ? {
            scrape: {
              medianMs: spread(scraped.map((s) => s.medianMs)),
              bytes: Math.round(
                quantile(
                  scraped.map((s) => s.bytes),
                  0.5,
                ),
              ),
              samples: Math.round(
                quantile(
                  scraped.map((s) => s.samples),
                  0.5,
                ),
              ),
              cpuMs: spread(scraped.map((s) => s.cpuMs)),
            },
          }
        : {}),
      ...(recorded.length > 0
        ? { recorder: { windows: spread(recorded.map((r) => r.windows)), kib: spread(recorded.map((r) => r.kib)) } }
        : {}),
      ...(pushed.length > 0
        ? {
            pushes: { requests: spread(pushed.map((p) => p.requests)), kib: spread(pushed.map((p) => p.bytes / 1024)) },
          }
        : {}),
    };
  });
}

/** Per kind of thread, the same-round differences of CPU per request to the baseline (a thread it lacks counts 0). */
function threadDifferences(pairs: readonly (readonly [Run, Run])[]): Record<string, Spread> | undefined {
  const measured = pairs.filter(([r, b]) => r.threadUsPerRequest && b.threadUsPerRequest);
  if (measured.length === 0) return undefined; // runs recorded before the figure existed
  const kinds = new Set(
    measured.flatMap(([r, b]) => [...Object.keys(r.threadUsPerRequest!), ...Object.keys(b.threadUsPerRequest!)]),
  );
  const of = (run: Run, kind: string) => run.threadUsPerRequest![kind] ?? 0;
  return Object.fromEntries(
    [...kinds].map((kind) => [kind, spread(measured.map(([r, b]) => of(r, kind) - of(b, kind)))]),
  );
}

/** A run is disturbed when other processes used more than --disturbed cores (or the hypervisor stole as much). */
export function isDisturbed(run: Run): boolean {
  return run.foreignCores > options.disturbed || run.stealCores > options.disturbed;
}
