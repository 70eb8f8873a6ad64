// The issues' targets, judged on the figures: PASS / MISS, or info where an issue set no number.
import { options } from './options.ts';
import { MiB, cpuRatio, fmtMiB, fmtRatio, pairwise, rssDiffMiB, spread } from './stats.ts';
import { summarize } from './summary.ts';
import type { Run, Target, VariantSummary } from './types.ts';
import { BASELINE, DEFAULTS, HTTP, LABELS, PEERS, PROFILING, PROFILING_OFF, PYROSCOPE, VIGIL } from './variants.ts';

export function judge(summaries: readonly VariantSummary[], runs: readonly Run[]): Target[] {
  const of = (name: string) => summaries.find((s) => s.variant === name);
  const vigil = of(VIGIL);
  const targets: Target[] = [];
  if (vigil?.ratios === undefined) return []; // issue #2's targets are about the vigil variant

  const cpu = vigil.ratios.cpuPerRequest;
  targets.push({
    target: 'CPU per request <= 1.01x baseline',
    verdict: cpu.median <= 1.01 ? 'PASS' : 'MISS',
    detail:
      `median ratio ${cpu.median.toFixed(3)}x (IQR ${cpu.p25.toFixed(3)}-${cpu.p75.toFixed(3)}, range ${cpu.min.toFixed(3)}-${cpu.max.toFixed(3)}, ${cpu.n} rounds)` +
      (cpu.p25 <= 1.01 && cpu.p75 > 1.01 ? '; the IQR straddles 1.01: this run cannot resolve a 1 % difference' : ''),
  });

  const prom = of('prom-client');
  if (prom?.scrape && vigil.scrape) {
    // pairwise too: Vigil's scrape time over prom-client's in the same round
    const byRound = (name: string) =>
      new Map(runs.filter((r) => r.variant === name && r.scrapes).map((r) => [r.round, r.scrapes!]));
    const vigilScrapes = byRound(VIGIL);
    const promScrapes = byRound('prom-client');
    const pairRatios = [...vigilScrapes].flatMap(([round, s]) => {
      const p = promScrapes.get(round);
      return p ? [s.medianMs / p.medianMs] : [];
    });
    const timeRatio = spread(pairRatios);
    const faster = vigil.scrape.medianMs.median < prom.scrape.medianMs.median;
    const smaller = vigil.scrape.bytes < prom.scrape.bytes;
    targets.push({
      target: "a scrape faster and smaller than prom-client's",
      verdict: faster && smaller ? 'PASS' : 'MISS',
      detail:
        `${faster ? 'faster' : 'SLOWER'}: ${vigil.scrape.medianMs.median.toFixed(2)} ms vs ${prom.scrape.medianMs.median.toFixed(2)} ms ` +
        `(pairwise ratio median ${timeRatio.median.toFixed(2)}x, range ${timeRatio.min.toFixed(2)}-${timeRatio.max.toFixed(2)}); ` +
        `${smaller ? 'smaller' : 'LARGER'}: ${vigil.scrape.bytes} B vs ${prom.scrape.bytes} B`,
    });
  } else {
    targets.push({
      target: "a scrape faster and smaller than prom-client's",
      verdict: 'n/a',
      detail: 'prom-client was not run',
    });
  }

  const peers = summaries.filter((s) => PEERS.includes(s.variant));
  if (peers.length > 0) {
    const lightest = peers.reduce((a, b) => (a.absolute.rssMiB <= b.absolute.rssMiB ? a : b));
    const over = vigil.absolute.rssMiB - lightest.absolute.rssMiB;
    targets.push({
      target: "memory no more than the lightest peer's",
      verdict: over <= 0 ? 'PASS' : 'MISS',
      detail:
        `Vigil ${vigil.absolute.rssMiB.toFixed(1)} MiB (+${vigil.rssOverBaselineMiB?.median.toFixed(1)} over baseline) vs ` +
        `${lightest.variant} ${lightest.absolute.rssMiB.toFixed(1)} MiB (+${lightest.rssOverBaselineMiB?.median.toFixed(1)}): ` +
        `${over <= 0 ? `${(-over).toFixed(1)} MiB less` : `${over.toFixed(1)} MiB MORE`}`,
    });
  }
  return targets;
}

/**
 * Issue #3: continuous profiling (vigil-profiling) against the baseline and against @pyroscope/nodejs, in the same
 * run. `long` are the runs of the long phase (the flight recorder full), if any.
 */
export function judgeProfiling(
  summaries: readonly VariantSummary[],
  runs: readonly Run[],
  long: readonly Run[],
): Target[] {
  const of = (name: string) => summaries.find((s) => s.variant === name);
  const profiling = of(PROFILING);
  if (profiling?.ratios === undefined) return [];
  const targets: Target[] = [];
  const cpu = profiling.ratios.cpuPerRequest;
  targets.push({
    target: '#3 continuous profiling: CPU per request <= 1.03x baseline',
    verdict: cpu.median <= 1.03 ? 'PASS' : 'MISS',
    detail: `${PROFILING} ${fmtRatio(cpu)}; schedstat cross-check ${profiling.ratios.schedPerRequest.median.toFixed(3)}x`,
  });
  const p99 = profiling.ratios.p99;
  targets.push({
    target: '#3 continuous profiling: p99 <= 1.05x baseline',
    verdict: p99.median <= 1.05 ? 'PASS' : 'MISS',
    detail: `${PROFILING} ${fmtRatio(p99)}; ${profiling.absolute.p99Ms.toFixed(2)} ms vs baseline ${of(BASELINE)?.absolute.p99Ms.toFixed(2)} ms`,
  });

  // The ring at its default size: 60 s of windows under load, which only the long phase reaches.
  const ringOf = (rs: readonly Run[], name: string) =>
    rs.filter((r) => r.variant === name && r.recorder?.continuous).map((r) => r.recorder!);
  const longRing = ringOf(long, PROFILING);
  const others = [HTTP, ...LABELS]
    .map((name) => [name, ringOf(long, name)] as const)
    .filter(([, ring]) => ring.length > 0)
    .map(([name, ring]) => `${name} ${Math.max(...ring.map((r) => r.kib))} KiB`);
  if (longRing.length > 0) {
    const kib = Math.max(...longRing.map((r) => r.kib));
    const windows = Math.max(...longRing.map((r) => r.windows));
    targets.push({
      target: "#3 the flight recorder's ring within 20 MiB at its default size under load",
      verdict: kib <= 20 * 1024 ? 'PASS' : 'MISS',
      detail:
        `${PROFILING} after ${options.longSeconds} s of load: ${(kib / 1024).toFixed(2)} MiB (${kib} KiB, ${windows} windows; largest of ${longRing.length} runs)` +
        (others.length > 0 ? `; with spans/labels: ${others.join(', ')}` : '') +
        " (the recorder's own estimate, budget 16 MiB)",
    });
  } else {
    const short = ringOf(runs, PROFILING);
    targets.push({
      target: "#3 the flight recorder's ring within 20 MiB at its default size under load",
      verdict: 'n/a',
      detail:
        `not full in a ${options.seconds} s run (${short.length ? `${Math.max(...short.map((r) => r.windows))} windows, ${Math.max(...short.map((r) => r.kib))} KiB` : 'not read'}); ` +
        'run with --long-seconds 65 or more',
    });
  }

  const pyroscope = of(PYROSCOPE);
  const memoryTarget = (rs: readonly Run[], when: string): Target => {
    const sum = summarize(rs);
    const mine = sum.find((x) => x.variant === PROFILING)?.rssOverBaselineMiB;
    const theirs = sum.find((x) => x.variant === PYROSCOPE)?.rssOverBaselineMiB;
    const pair = pairwise(rs, PROFILING, PYROSCOPE, rssDiffMiB);
    if (!mine || !theirs || !pair)
      return {
        target: `#3 memory over the baseline less than @pyroscope/nodejs's (${when})`,
        verdict: 'n/a',
        detail: 'pyroscope was not run',
      };
    return {
      target: `#3 memory over the baseline less than @pyroscope/nodejs's (${when})`,
      verdict: mine.median < theirs.median ? 'PASS' : 'MISS',
      detail: `${PROFILING} ${fmtMiB(mine)} vs pyroscope ${fmtMiB(theirs)}; pairwise ${PROFILING} - pyroscope ${fmtMiB(pair)}`,
    };
  };
  if (pyroscope) {
    targets.push(memoryTarget(runs, `after ${options.warmup} + ${options.seconds} s of load`));
    if (long.some((r) => r.variant === PYROSCOPE))
      targets.push(memoryTarget(long, `after ${options.warmup} + ${options.longSeconds} s of load, ring full`));
    const theirCpu = pyroscope.ratios?.cpuPerRequest;
    const vsThem = pairwise(runs, PROFILING, PYROSCOPE, cpuRatio);
    if (theirCpu && vsThem) {
      targets.push({
        target: '#3 CPU per request next to @pyroscope/nodejs',
        verdict: 'info',
        detail: `pyroscope ${fmtRatio(theirCpu)} of baseline; ${PROFILING} / pyroscope ${fmtRatio(vsThem)}`,
      });
    }
  }
  const off = pairwise(runs, PROFILING, PROFILING_OFF, cpuRatio);
  const offRss = pairwise(runs, PROFILING, PROFILING_OFF, rssDiffMiB);
  if (off && offRss) {
    targets.push({
      target: '#3 what continuous profiling adds to Vigil without it',
      verdict: 'info',
      detail: `${PROFILING} / ${PROFILING_OFF}: CPU ${fmtRatio(off)}, RSS ${fmtMiB(offRss)}`,
    });
  }
  return targets;
}

/** Issue #4: span labels in each mode against profiling with HTTP spans and no labels (vigil-http), same rounds. */
export function judgeLabels(runs: readonly Run[], long: readonly Run[]): Target[] {
  const targets: Target[] = [];
  const http = pairwise(runs, HTTP, PROFILING, cpuRatio);
  const httpRss = pairwise(runs, HTTP, PROFILING, rssDiffMiB);
  if (http && httpRss) {
    targets.push({
      target: '#4 HTTP server spans alone (vigil-http vs vigil-profiling)',
      verdict: 'info',
      detail: `CPU ${fmtRatio(http)}, RSS ${fmtMiB(httpRss)}`,
    });
  }
  for (const mode of LABELS) {
    const cpu = pairwise(runs, mode, HTTP, cpuRatio);
    const rss = pairwise(runs, mode, HTTP, rssDiffMiB);
    if (!cpu || !rss) continue;
    targets.push({
      target: `#4 ${mode}: CPU per request vs vigil-http`,
      verdict: 'info',
      detail: fmtRatio(cpu),
    });
    targets.push({
      target: `#4 ${mode}: memory within +5 MiB of vigil-http (after ${options.warmup} + ${options.seconds} s of load)`,
      verdict: rss.median <= 5 ? 'PASS' : 'MISS',
      detail: fmtMiB(rss),
    });
    const longRss = pairwise(long, mode, HTTP, rssDiffMiB);
    if (longRss) {
      targets.push({
        target: `#4 ${mode}: memory within +5 MiB of vigil-http (after ${options.warmup} + ${options.longSeconds} s of load, ring full)`,
        verdict: longRss.median <= 5 ? 'PASS' : 'MISS',
        detail: fmtMiB(longRss),
      });
    }
  }
  return targets;
}

/**
 * Issue #10: the defaults (`vigil-default`: metrics, continuous profiling, HTTP spans, labels, debug server, default
 * rules) and metrics only (`vigil`), against the baseline and prom-client in the same rounds; the long phase for the
 * defaults' steady-state memory.
 */
export function judgeCost(summaries: readonly VariantSummary[], runs: readonly Run[], long: readonly Run[]): Target[] {
  const targets: Target[] = [];
  const defaults = summaries.find((s) => s.variant === DEFAULTS)?.ratios;
  if (defaults) {
    const cpu = pairwise(runs, DEFAULTS, BASELINE, cpuRatio)!;
    targets.push({
      target: '#10 defaults: CPU per request <= 1.05x baseline',
      verdict: cpu.median <= 1.05 ? 'PASS' : 'MISS',
      detail: fmtRatio(cpu),
    });
    targets.push({
      target: '#10 defaults: p99 <= 1.10x baseline',
      verdict: defaults.p99.median <= 1.1 ? 'PASS' : 'MISS',
      detail: fmtRatio(defaults.p99),
    });
    const rss = pairwise(runs, DEFAULTS, BASELINE, rssDiffMiB)!;
    targets.push({
      target: `#10 defaults: RSS <= +25 MiB over baseline (after ${options.warmup} + ${options.seconds} s)`,
      verdict: rss.median <= 25 ? 'PASS' : 'MISS',
      detail: fmtMiB(rss),
    });
    const longRss = pairwise(long, DEFAULTS, BASELINE, rssDiffMiB);
    const longMean = pairwise(long, DEFAULTS, BASELINE, (a, b) => (a.rssMeanKiB - b.rssMeanKiB) / MiB);
    const longPeak = pairwise(long, DEFAULTS, BASELINE, (a, b) => (a.rssPeakKiB - b.rssPeakKiB) / MiB);
    if (longRss && longMean && longPeak) {
      // Judged on the mean over the load: under load the heap is a sawtooth, and the value after the load is one point.
      targets.push({
        target: `#10 defaults: RSS <= +25 MiB over baseline (long phase, ${options.longSeconds} s, ring full; mean over the load)`,
        verdict: longMean.median <= 25 ? 'PASS' : 'MISS',
        detail: `mean ${fmtMiB(longMean)}; peak ${fmtMiB(longPeak)}; after the load ${fmtMiB(longRss)}`,
      });
    }
  }
  const metrics = summaries.find((s) => s.variant === VIGIL);
  if (metrics?.ratios) {
    const rss = pairwise(runs, VIGIL, BASELINE, rssDiffMiB)!;
    targets.push({
      target: '#10 metrics only: RSS <= +6 MiB over baseline',
      verdict: rss.median <= 6 ? 'PASS' : 'MISS',
      detail: fmtMiB(rss),
    });
    const cpu = metrics.ratios.cpuPerRequest;
    targets.push({
      target: '#10 metrics only: CPU per request <= 1.01x baseline',
      verdict: cpu.median <= 1.01 ? 'PASS' : 'MISS',
      detail:
        fmtRatio(cpu) +
        (cpu.p25 <= 1.01 && cpu.p75 > 1.01 ? '; the IQR straddles 1.01: not resolved at this noise' : ''),
    });
    const scrape = pairwise(runs, VIGIL, 'prom-client', (a, b) =>
      a.scrapes && b.scrapes ? a.scrapes.medianMs / b.scrapes.medianMs : NaN,
    );
    if (scrape)
      targets.push({
        target: "#10 metrics only: scrape time <= prom-client's (median pairwise ratio <= 1.0)",
        verdict: scrape.median <= 1 ? 'PASS' : 'MISS',
        detail: fmtRatio(scrape),
      });
  }
  return targets;
}
