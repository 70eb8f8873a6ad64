/**
 * Soak (issue #9): examples/leftpad under `--import @vigil/sdk/register` with Vigil's defaults, under wrk load for a
 * long time (default 60 min). Every minute it samples the server's RSS (/proc) and V8 heap (from /metrics); every few
 * minutes it asks for a CPU and a heap capture through the debug server and later checks that each id it was given is
 * stored and served (nothing lost). It reports the growth of RSS and heap after the first 5 minutes.
 *
 *   pnpm bench:soak [--minutes 60] [--capture-every 5] [--warm 5] [--out FILE]
 *
 * Not part of CI: a long run belongs here. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { HOST, freePort, get, stop, waitFor } from './lib/http.ts';
import { memory } from './lib/proc.ts';
import { ensureVigilBuilt, machine, vigilVersion } from './lib/provenance.ts';
import { BENCH_DIR } from './lib/variants.ts';
import { wrk } from './lib/wrk.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    'capture-every': { type: 'string', default: '5' },
    warm: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    path: { type: 'string', default: '/pad?len=1000' },
    out: { type: 'string', default: join(BENCH_DIR, 'results/soak-latest.json') },
  },
});
const minutes = Number(args.minutes);
const captureEvery = Number(args['capture-every']);
const warmMinutes = Number(args.warm);
if (![minutes, captureEvery, warmMinutes].every((n) => Number.isInteger(n) && n > 0) || warmMinutes >= minutes) {
  console.error('--minutes, --capture-every and --warm take positive whole minutes, with --warm under --minutes');
  process.exit(2);
}
const load = { threads: 2, connections: Number(args.connections), path: args.path ?? '/pad?len=1000' };

/** POST a capture request; the id it answers with. */
function postCapture(port: number, body: object): Promise<{ status: number; id?: string }> {
  return new Promise((ok, fail) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: HOST,
        port,
        path: '/debug/vigil/captures',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          let id: string | undefined;
          try {
            id = (JSON.parse(text) as { id?: string }).id;
          } catch {
            // a text/plain error answer
          }
          ok({ status: res.statusCode ?? 0, ...(id ? { id } : {}) });
        });
      },
    );
    req.on('error', fail);
    req.end(data);
  });
}

function heapUsedBytes(metrics: string): number {
  const line = metrics.split('\n').find((l) => /^(v8js_heap_used|nodejs_heap_size_used_bytes)(\{[^}]*\})? /.test(l));
  return line ? Number(line.split(' ').pop()) : NaN;
}

ensureVigilBuilt();
const provenance = vigilVersion(); // at the start: the tree may change during an hour's run
const store = mkdtempSync(join(tmpdir(), 'vigil-soak-store-'));
const [appPort, metricsPort, debugPort] = [await freePort(), await freePort(), await freePort()];
const env = {
  ...process.env,
  PORT: String(appPort),
  HOST,
  LEFTPAD_LOG: '/dev/null',
  VIGIL_METRICS_HOST: HOST,
  VIGIL_METRICS_PORT: String(metricsPort),
  VIGIL_DEBUG_ADDR: `${HOST}:${debugPort}`,
  VIGIL_STORE: `file://${store}`,
};
const server = spawn(
  process.execPath,
  ['--import', '@vigil/sdk/register', join(BENCH_DIR, '../examples/leftpad/src/server.ts')],
  {
    cwd: BENCH_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let output = '';
const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
server.stdout.on('data', keep);
server.stderr.on('data', keep);
const pid = server.pid!;

interface Sample {
  minute: number;
  rssMiB: number;
  heapMiB: number;
  reqPerSec: number;
  p99Ms: number;
}
const samples: Sample[] = [];
const asked: { minute: number; type: string; status: number; id?: string }[] = [];
const startedAt = new Date();
try {
  await waitFor(appPort, '/healthz', server, () => output);
  await waitFor(metricsPort, '/metrics', server, () => output);
  await waitFor(debugPort, '/debug/pprof/', server, () => output);
  console.log(`soak: ${minutes} min of wrk -c${load.connections} on ${load.path}, Vigil defaults, pid ${pid}`);
  for (let minute = 1; minute <= minutes; minute++) {
    const wall0 = performance.now();
    const captures =
      minute % captureEvery === 0
        ? Promise.all([postCapture(debugPort, { type: 'cpu', seconds: 10 }), postCapture(debugPort, { type: 'heap' })])
        : Promise.resolve([]);
    const run = await wrk(appPort, 60, load);
    for (const [i, answer] of (await captures).entries())
      asked.push({ minute, type: i === 0 ? 'cpu' : 'heap', ...answer });
    if (server.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    const metrics = await get(metricsPort, '/metrics');
    const sample = {
      minute,
      rssMiB: memory(pid).rssKiB / 1024,
      heapMiB: heapUsedBytes(metrics.body) / 1024 / 1024,
      reqPerSec: run.reqPerSec,
      p99Ms: run.p99Ms,
    };
    samples.push(sample);
    console.log(
      `minute ${String(minute).padStart(3)}  RSS ${sample.rssMiB.toFixed(1)} MiB  heap ${sample.heapMiB.toFixed(1)} MiB  ` +
        `${run.reqPerSec.toFixed(0)} req/s  p99 ${run.p99Ms.toFixed(1)} ms  (${((performance.now() - wall0) / 1e3).toFixed(0)} s)`,
    );
  }
  // Nothing lost: every id the server answered 202 with is stored and served.
  const accepted = asked.filter((a) => a.status === 202 && a.id);
  const missing: string[] = [];
  for (const a of accepted) {
    const answer = await get(debugPort, `/debug/vigil/captures/${a.id}`, 30_000);
    if (answer.status !== 200) missing.push(`${a.id} (${a.type}, minute ${a.minute}): ${answer.status}`);
  }
  const at = (minute: number) => samples.find((s) => s.minute === minute)!;
  const growth = (pick: (s: Sample) => number) => (pick(at(minutes)) / pick(at(warmMinutes)) - 1) * 100;
  const result = {
    date: startedAt.toISOString(),
    machine: machine(),
    vigil: provenance,
    options: { minutes, captureEvery, warmMinutes, ...load },
    rssGrowthPercentAfterWarm: growth((s) => s.rssMiB),
    heapGrowthPercentAfterWarm: growth((s) => s.heapMiB),
    captures: {
      asked: asked.length,
      accepted: accepted.length,
      refused: asked.filter((a) => a.status !== 202),
      missing,
    },
    samples,
  };
  console.log(
    `\nafter minute ${warmMinutes}: RSS ${at(warmMinutes).rssMiB.toFixed(1)} -> ${at(minutes).rssMiB.toFixed(1)} MiB ` +
      `(${result.rssGrowthPercentAfterWarm.toFixed(1)} %, goal < 5 %), heap ${at(warmMinutes).heapMiB.toFixed(1)} -> ` +
      `${at(minutes).heapMiB.toFixed(1)} MiB (${result.heapGrowthPercentAfterWarm.toFixed(1)} %)\n` +
      `captures: ${accepted.length} of ${asked.length} accepted, ${missing.length} missing${missing.length ? `: ${missing.join('; ')}` : ''}`,
  );
  const outFile = resolve(args.out ?? join(BENCH_DIR, 'results/soak-latest.json'));
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results: ${outFile}`);
} finally {
  await stop(server);
  rmSync(store, { recursive: true, force: true });
}
