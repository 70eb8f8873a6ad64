/**
 * Where a variant's server spends its main thread under load (issue #10), for differences of a few percent that the
 * runner's CPU-per-request ratios cannot resolve on a shared machine: `node bench/cpu-shares.ts [--variants a,b]
 * [--seconds 10]`. Each variant's server runs with `--cpu-prof` under the bench's load (with the variant's headers);
 * each sample goes to the nearest frame of its stack that belongs to the app, to Vigil (`@vigil/*`), to OpenTelemetry
 * (`@opentelemetry/*`) or to the profiler's libraries (`@datadog/pprof`, `pprof-format`, `source-map`); a stack with
 * none of them is Node's own work (HTTP parsing, sockets). Shares are of the main thread's non-idle samples, so they
 * hold under contention, which changes the request rate but not where the time goes. `--top N` also lists, per
 * variant, the N functions whose own (self) samples are most of Vigil's, OpenTelemetry's and the profiler libraries'.
 * Only the samples of the measured load count (not the start-up, the warm-up or the exit), as in the runner's CPU per
 * request: the window is placed on the profile's own clock from its end, by the load's and the exit's wall times.
 * A CPU profile sees only the main thread: the runner's table of CPU per request by kind of thread (from
 * runs without `--cpu-prof`) gives the rest.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stop, waitFor } from './lib/http.ts';
import { serverCommand, serverPorts } from './lib/server-command.ts';
import { ALL_VARIANTS, BENCH_DIR, removeStoreDir } from './lib/variants.ts';
import { wrk } from './lib/wrk.ts';

const { values } = parseArgs({
  options: {
    variants: { type: 'string', default: 'baseline,vigil,vigil-default,vigil-default-traced' },
    seconds: { type: 'string', default: '10' },
    top: { type: 'string', default: '0' },
  },
});

interface CpuProfile {
  startTime: number;
  endTime: number;
  timeDeltas: number[];
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
}

const OWNERS: [string, RegExp][] = [
  ['Vigil', /\/packages\/[^/]+\/(dist|src)\/|\/@vigil\//],
  ['OpenTelemetry', /\/@opentelemetry\//],
  ['profiler libraries', /\/@datadog\/pprof\/|\/pprof-format\/|\/source-map\//],
  ['app', /\/examples\/leftpad\//],
];

const OURS = new Set(['Vigil', 'OpenTelemetry', 'profiler libraries']);

/** The samples taken in `[endTime - fromEndMicros - lengthMicros, endTime - fromEndMicros]` of the profile's clock. */
function window(profile: CpuProfile, fromEndMicros: number, lengthMicros: number): CpuProfile {
  const last = profile.endTime - fromEndMicros;
  const first = last - lengthMicros;
  let at = profile.startTime;
  const kept = profile.samples.filter((_, i) => {
    at += profile.timeDeltas[i]!;
    return at >= first && at <= last;
  });
  return { ...profile, samples: kept };
}

function shares(profile: CpuProfile): { share: Map<string, number>; top: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const { functionName, url } = byId.get(id)!.callFrame;
    const special = { '(idle)': 'idle', '(garbage collector)': 'GC', '(program)': 'program' }[functionName];
    const own = OWNERS.find(([, pattern]) => pattern.test(url))?.[0];
    const up = parent.get(id);
    const result = special ?? own ?? (up === undefined ? 'Node' : ownerOf(up));
    owner.set(id, result);
    return result;
  };
  const counts = new Map<string, number>();
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    counts.set(ownerOf(id), (counts.get(ownerOf(id)) ?? 0) + 1);
    if (!OURS.has(ownerOf(id))) continue;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url
      .replace(/^.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
      .replace(/^.*\/(?=packages\/)/, '');
    const where = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + 1);
  }
  counts.delete('idle');
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const percent = (v: number) => (100 * v) / total;
  return {
    share: new Map([...counts].map(([k, v]) => [k, percent(v)])),
    top: [...self].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, percent(v)]),
  };
}

const columns = ['app', 'Node', 'GC', 'program', 'Vigil', 'OpenTelemetry', 'profiler libraries'];
console.log(`main-thread samples by owner, % (${values.seconds} s of wrk -t2 -c32 on /pad?len=1000 per variant)`);
console.log(['variant'.padEnd(22), ...columns.map((c) => c.padStart(12))].join(' '));
try {
  for (const name of values.variants.split(',')) {
    const variant = ALL_VARIANTS.find((v) => v.name === name);
    if (variant === undefined) throw new Error(`unknown variant ${name}`);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cpu-shares-'));
    const ports = await serverPorts(variant);
    const { argv, env } = serverCommand(variant, ports, { flags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    const server = spawn(process.execPath, argv, { cwd: BENCH_DIR, env, stdio: 'ignore' });
    await waitFor(ports.port, '/healthz', server, () => '');
    const load = { threads: 2, connections: 32, path: '/pad?len=1000', headers: variant.headers };
    await wrk(ports.port, 2, load);
    const loadStarted = performance.now();
    await wrk(ports.port, Number(values.seconds), load);
    const loadEnded = performance.now();
    await stop(server);
    const exited = performance.now();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`${name}: no CPU profile written`);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const micros = (millis: number) => Math.round(millis * 1e3);
    const { share, top } = shares(window(profile, micros(exited - loadEnded), micros(loadEnded - loadStarted)));
    console.log([name.padEnd(22), ...columns.map((c) => (share.get(c) ?? 0).toFixed(1).padStart(12))].join(' '));
    for (const [where, percent] of top.slice(0, Number(values.top)))
      console.log(`${percent.toFixed(2).padStart(30)} ${where}`);
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  removeStoreDir();
}
