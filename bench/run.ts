/**
 * Overhead benchmark (issue #2 item 9): examples/leftpad under wrk on loopback, with no instrumentation, with Vigil,
 * with prom-client's default metrics and with OpenTelemetry's runtime-node instrumentation, in alternating rounds.
 *
 *   pnpm bench [--rounds 10] [--seconds 8] [--warmup 2] [--scrapes 20] [--variants a,b,...] [--out FILE]
 *              [--long-seconds S --long-rounds N --long-variants a,b,...]
 *
 * Issues #3 and #4 (continuous profiling, span labels): the variants vigil-profiling-off, vigil-profiling, vigil-http,
 * vigil-labels-cped, vigil-labels-hooks and pyroscope. The Vigil ones serve the debug endpoints, from which the runner
 * reads the flight recorder's size after the load; pyroscope pushes to a sink in this process. --long-seconds adds
 * rounds with a long load, so that the flight recorder is full (60 s) when read, and V8's heap has gone through its
 * cycles (the RSS is also read every second of the load: its mean is the level a sawtooth holds).
 *
 * Each run starts a fresh server process (Node 24), warms it up, then reads the server's CPU time
 * (utime + stime from /proc/PID/stat) around one wrk run. CPU per request is that delta over the requests wrk counted.
 * Throughput on these shared 2-core machines swings by ~20 % between identical runs, so every figure of a variant is
 * compared with the baseline run of the same round, and the report gives the median and spread of those ratios.
 * See bench/README.md.
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { judge, judgeCost, judgeLabels, judgeProfiling } from './lib/judge.ts';
import { args, longVariants, options, variants } from './lib/options.ts';
import { ensureVigilBuilt, machine, vigilVersion } from './lib/provenance.ts';
import { describe, report, reportLong } from './lib/report.ts';
import { runOnce } from './lib/run-once.ts';
import { sink, startSink } from './lib/sink.ts';
import { isDisturbed, summarize } from './lib/summary.ts';
import type { Run, Variant } from './lib/types.ts';
import { BENCH_DIR, removeStoreDir } from './lib/variants.ts';

if (variants.some((v) => v.preload === '@vigil/sdk/register' && !v.source)) ensureVigilBuilt();
// What is measured is what dist/ was built from now: the tree may change while the run goes on.
const provenance = vigilVersion();
if (variants.some((v) => v.pushes)) await startSink();

const perRun = 1.5 + options.warmup + options.seconds + 0.5;
const perLongRun = 1.5 + options.warmup + options.longSeconds + 0.5;
const minutes =
  (options.rounds * variants.length * perRun +
    (options.longSeconds > 0 ? options.longRounds * longVariants.length * perLongRun : 0)) /
  60;
console.log(
  `Vigil overhead bench: ${options.rounds} rounds x ${variants.length} variants (${variants.map((v) => v.name).join(', ')}), ` +
    `wrk -t${options.threads} -c${options.connections} -d${options.seconds}s on ${options.path} after ${options.warmup} s warm-up` +
    (options.longSeconds > 0 ? `, then ${options.longRounds} long round(s) of ${options.longSeconds} s` : '') +
    `; about ${Math.ceil(minutes)} min`,
);

const outFile = resolve(args.out ?? join(BENCH_DIR, 'results/latest.json'));
mkdirSync(dirname(outFile), { recursive: true });
const runs: Run[] = [];
const longRuns: Run[] = [];
const startedAt = new Date();

/** Rounds of all the variants, rotating the order so that each takes each position (and follows each other) in turn. */
async function rounds(count: number, seconds: number, into: Run[], among: readonly Variant[]): Promise<void> {
  for (let round = 0; round < count; round++) {
    const order = among.map((_, i) => among[(i + round) % among.length]!);
    for (const [position, variant] of order.entries()) {
      const run = await runOnce(variant, round, position, seconds);
      into.push(run);
      console.log(describe(run, count, round));
      // what has been measured so far, in case a later run fails
      writeFileSync(
        `${outFile}.partial`,
        `${JSON.stringify({ date: startedAt.toISOString(), options, runs, longRuns }, null, 2)}\n`,
      );
      await sleep(300);
    }
  }
}

try {
  await rounds(options.rounds, options.seconds, runs, variants);
  if (options.longSeconds > 0) {
    console.log(
      `\nlong phase: ${options.longRounds} round(s) of ${options.longSeconds} s of load, the flight recorder filling to its 60 s reach`,
    );
    await rounds(options.longRounds, options.longSeconds, longRuns, longVariants);
  }
} finally {
  await sink.close();
  removeStoreDir();
}

// Judge on the rounds in which no run was disturbed by other work on the machine, when there are enough of them.
const disturbedRounds = new Set(runs.filter(isDisturbed).map((r) => r.round));
const cleanRounds = Array.from({ length: options.rounds }, (_, i) => i).filter((round) => !disturbedRounds.has(round));
const useClean = disturbedRounds.size > 0 && cleanRounds.length >= Math.max(5, options.rounds / 2);
const judged = useClean ? runs.filter((r) => !disturbedRounds.has(r.round)) : runs;
const roundsNote =
  disturbedRounds.size === 0
    ? `all ${options.rounds} rounds (none disturbed by other work on the machine)`
    : useClean
      ? `${cleanRounds.length} of ${options.rounds} rounds: rounds ${[...disturbedRounds].map((r) => r + 1).join(', ')} dropped ` +
        `(another process used > ${options.disturbed} cores during a run)`
      : `all ${options.rounds} rounds, although ${disturbedRounds.size} were disturbed by other work on the machine ` +
        `(too few clean rounds to drop them): treat these figures with care`;
const longDisturbed = new Set(longRuns.filter(isDisturbed).map((r) => r.round));
const longNote =
  longRuns.length === 0
    ? undefined
    : `all ${options.longRounds} long round(s)` +
      (longDisturbed.size > 0
        ? `, ${longDisturbed.size} of them disturbed by other work on the machine (kept: too few to drop)`
        : ', none disturbed');
const summaries = summarize(judged);
const longSummaries = longRuns.length > 0 ? summarize(longRuns) : undefined;
const targets = [
  ...judge(summaries, judged),
  ...judgeProfiling(summaries, judged, longRuns),
  ...judgeLabels(judged, longRuns),
  ...judgeCost(summaries, judged, longRuns),
];
console.log(`\nFigures over ${roundsNote}.\n${report(summaries, targets)}\n`);
if (longSummaries)
  console.log(`Long phase (${longNote}; ${options.longSeconds} s of load):\n${reportLong(longSummaries)}\n`);

const result = {
  date: startedAt.toISOString(),
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine: machine(),
  vigil: provenance,
  options,
  variants: variants.map((v) => ({ name: v.name, label: v.label })),
  roundsUsed: [...new Set(judged.map((r) => r.round + 1))],
  roundsNote,
  ...(longNote ? { longNote } : {}),
  method:
    'fresh server per run; warm-up wrk, then server utime+stime (/proc/PID/stat) around one wrk run; ratios are to the ' +
    'baseline run of the same round; scrapes are sequential GETs of /metrics after the load; RSS is VmRSS after the load; ' +
    "the flight recorder's size is read from the debug server's index page after the load",
  summaries,
  ...(longSummaries ? { longSummaries } : {}),
  targets,
  runs,
  ...(longRuns.length > 0 ? { longRuns } : {}),
};
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
rmSync(`${outFile}.partial`, { force: true });
console.log(`results: ${outFile}`);
