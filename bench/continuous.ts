/**
 * What VIGIL_CONTINUOUS costs (issue #12 item 4): examples/leftpad under wrk, with continuous profiling and span labels
 * as `register` defaults them, alternately without and with VIGIL_CONTINUOUS, each run on a fresh process and store:
 *   1. bytes uploaded per minute per instance (CPU and heap captures), and captures (each ~4 object writes) per minute;
 *   2. the server's CPU time per request, continuous over off (the median of the rounds' ratios; noisy, see bench/README);
 *   3. CPU time spent in the upload path, read from the uploaded CPU profiles themselves: samples with a frame in the
 *      store, the uploader, the capture recorder or the profile code (merge, encode, trace refs), plus the gzip of the
 *      profiles (zlib's thread pool, outside the samples), measured here on the stored profiles.
 * `node --conditions=source bench/continuous.ts [--period 60s] [--seconds 125] [--rounds 2] [--path /pad?len=1000]`
 * Not a test: figures to read, on whatever machine runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeProfile } from '@vigil/pprof';
import { FileStore, type CaptureMetadata } from '@vigil/store';
import { startLeftpad } from '@vigil/test-helpers/leftpad';
import { cpuNanos } from './lib/proc.ts';
import { wrk } from './lib/wrk.ts';

const { values } = parseArgs({
  options: {
    period: { type: 'string', default: '60s' },
    seconds: { type: 'string', default: '125' },
    rounds: { type: 'string', default: '2' },
    path: { type: 'string', default: '/pad?len=1000' },
  },
});
const seconds = Number(values.seconds);
const load = { threads: 2, connections: 32, path: values.path };
/** Frames of the upload path: nothing else in this service writes to the store or merges and encodes profiles. */
const UPLOAD_PATH = [
  'packages/store/src/',
  'packages/profiler/src/continuous-uploads.ts',
  'packages/profiler/src/capture-recorder.ts',
  'packages/pprof/src/',
];

interface Run {
  requests: number;
  cpuNanosPerRequest: number;
  captures?: CaptureMetadata[];
  uploadCpuNanos?: number;
  gzipNanos?: number;
}

async function run(continuous: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-continuous-'));
  const app = await startLeftpad({
    VIGIL_STORE: `file://${dir}`,
    VIGIL_CONTINUOUS: continuous ? values.period : 'off',
    VIGIL_DEFAULT_RULES: 'off',
  });
  try {
    const port = Number(new URL(app.appUrl).port);
    const pid = app.app.child.pid!;
    await wrk(port, 2, load); // warm-up
    const before = cpuNanos(pid);
    const result = await wrk(port, seconds, load);
    const cpu = cpuNanos(pid) - before;
    const base = { requests: result.requests, cpuNanosPerRequest: cpu / result.requests };
    if (!continuous) return base;
    await app.app.stop();
    const store = new FileStore(dir, {}, { maintenance: false });
    const captures = await store.list({ reason: 'continuous', limit: 1_000 });
    let uploadCpuNanos = 0;
    let gzipNanos = 0;
    for (const c of captures) {
      const data = (await store.get(c.id))!.data;
      const raw = gunzipSync(data);
      const started = process.cpuUsage();
      gzipSync(raw);
      const used = process.cpuUsage(started);
      gzipNanos += (used.user + used.system) * 1_000;
      if (c.type === 'cpu') uploadCpuNanos += cpuIn(await decodeProfile(raw), UPLOAD_PATH);
    }
    await store.close();
    return { ...base, captures, uploadCpuNanos, gzipNanos };
  } finally {
    await app.app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU time (ns) of the samples with at least one frame in one of these source paths. */
function cpuIn(profile: Awaited<ReturnType<typeof decodeProfile>>, paths: readonly string[]): number {
  const strings = profile.stringTable.strings;
  const cpuIndex = profile.sampleType.findIndex((t) => strings[Number(t.type)] === 'cpu');
  const fileOf = new Map(profile.function.map((f) => [Number(f.id), strings[Number(f.filename)] ?? '']));
  const inPath = new Map<number, boolean>();
  for (const location of profile.location) {
    inPath.set(
      Number(location.id),
      location.line.some((line) => paths.some((p) => fileOf.get(Number(line.functionId))?.includes(p))),
    );
  }
  let total = 0;
  for (const sample of profile.sample)
    if (sample.locationId.some((id) => inPath.get(Number(id)))) total += Number(sample.value[cpuIndex] ?? 0);
  return total;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
};
const ratios: number[] = [];
const runs: Run[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  // Alternate which goes first: on this shared machine the second run of a pair is often the slower.
  let off: Run;
  let on: Run;
  if (round % 2 === 0) {
    off = await run(false);
    on = await run(true);
  } else {
    on = await run(true);
    off = await run(false);
  }
  ratios.push(on.cpuNanosPerRequest / off.cpuNanosPerRequest);
  runs.push(on);
  console.log(
    `round ${round + 1}: off ${(off.cpuNanosPerRequest / 1e3).toFixed(1)} µs/req (${off.requests} req), continuous ${(on.cpuNanosPerRequest / 1e3).toFixed(1)} µs/req (${on.requests} req)`,
  );
}

const minutes = seconds / 60;
const perMinute = (pick: (r: Run) => number) => median(runs.map(pick)) / minutes;
const bytesOf = (r: Run, type: string) =>
  (r.captures ?? []).filter((c) => c.type === type).reduce((s, c) => s + c.bytes, 0);
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
console.log(
  `\nVIGIL_CONTINUOUS=${values.period}, ${seconds} s of wrk -t2 -c32 ${values.path} per run, ${runs.length} round(s)`,
);
console.log(`uploads per minute: ${perMinute((r) => r.captures!.length).toFixed(2)} captures (CPU + heap)`);
console.log(
  `bytes per minute:   ${kib(perMinute((r) => bytesOf(r, 'cpu') + bytesOf(r, 'heap')))} (CPU ${kib(perMinute((r) => bytesOf(r, 'cpu')))}, heap ${kib(perMinute((r) => bytesOf(r, 'heap')))})`,
);
console.log(
  `largest CPU capture: ${kib(Math.max(...runs.flatMap((r) => r.captures!.filter((c) => c.type === 'cpu').map((c) => c.bytes))))}, traces in it: ${Math.max(...runs.flatMap((r) => r.captures!.map((c) => c.traceCount)))}`,
);
console.log(
  `upload path CPU:    ${(perMinute((r) => r.uploadCpuNanos!) / 1e6).toFixed(1)} ms per minute on the main thread + ${(perMinute((r) => r.gzipNanos!) / 1e6).toFixed(1)} ms gzip (thread pool)`,
);
const served = median(runs.map((r) => r.cpuNanosPerRequest * r.requests)) / minutes;
console.log(
  `  = ${((100 * perMinute((r) => r.uploadCpuNanos! + r.gzipNanos!)) / served).toFixed(2)} % of the server's CPU under this load`,
);
console.log(
  `CPU per request, continuous / off: median ${median(ratios).toFixed(3)} (rounds: ${ratios.map((r) => r.toFixed(3)).join(', ')})`,
);
