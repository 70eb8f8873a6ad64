/**
 * Where a variant's RSS goes over time under load (issue #10): `node bench/memory.ts [--variants a,b] [--seconds 65]
 * [--every 5] [--rounds 1] [--env K=V,...] [--snapshot] [--out FILE]`. Each variant's server runs with the
 * bench/variants/heap-probe.ts preload; every `--every` seconds of wrk load the runner reads /proc/PID/status and asks
 * the probe (SIGUSR2) for V8's figures, then prints each part next to the baseline's at the same time point.
 * `--snapshot` writes a heap snapshot (SIGTTIN) after the last sample, during the load. `--trace-gc` runs the server with
 * `--trace-gc-nvp` (a diagnosis flag, not a fix) and sums, over the load, what survived each scavenge: the bytes that
 * make V8 grow the young generation and, once promoted, the old space. One variant runs at a time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { stop, waitFor } from './lib/http.ts';
import { serverCommand, serverPorts } from './lib/server-command.ts';
import { ALL_VARIANTS, BASELINE, BENCH_DIR, removeStoreDir } from './lib/variants.ts';
import { wrk } from './lib/wrk.ts';

const { values } = parseArgs({
  options: {
    variants: { type: 'string', default: 'baseline,vigil,vigil-default' },
    seconds: { type: 'string', default: '65' },
    every: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '1' },
    env: { type: 'string', default: '' },
    snapshot: { type: 'boolean', default: false },
    'heap-profile': { type: 'boolean', default: false },
    'trace-gc': { type: 'boolean', default: false },
    preload: { type: 'string' },
    'node-flags': { type: 'string', default: '' },
    out: { type: 'string' },
  },
});
const names = values.variants.split(',');
const seconds = Number(values.seconds);
const every = Number(values.every);
const extraEnv = Object.fromEntries(
  values.env
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const PROBE = join(BENCH_DIR, 'variants/heap-probe.ts');
const dir = mkdtempSync(join(tmpdir(), 'vigil-memory-'));
const MiB = 1024 * 1024;

interface Sample {
  at: number;
  rss: number;
  anon: number;
  file: number;
  heapPhysical: number;
  heapUsed: number;
  newSpace: number;
  oldSpace: number;
  code: number;
  largeObject: number;
  external: number;
  arrayBuffers: number;
  malloced: number;
}

function status(pid: number): { rss: number; anon: number; file: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile') + kib('RssShmem') };
}

async function probe(pid: number, file: string, at: number): Promise<Sample> {
  const before = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  const proc = status(pid);
  process.kill(pid, 'SIGUSR2');
  const deadline = performance.now() + 5_000;
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length > before) {
      const s = JSON.parse(lines.at(-1)!);
      const space = (name: string) => s.spaces[name]?.physical ?? 0;
      return {
        at,
        ...proc,
        heapPhysical: s.heap.total_physical_size,
        heapUsed: s.heap.used_heap_size,
        newSpace: space('new_space'),
        oldSpace: space('old_space'),
        code: space('code_space'),
        largeObject: space('large_object_space') + space('new_large_object_space') + space('code_large_object_space'),
        external: s.memory.external,
        arrayBuffers: s.memory.arrayBuffers,
        malloced: s.heap.malloced_memory,
      };
    }
    if (performance.now() > deadline) throw new Error(`no probe answer from ${pid}`);
    await sleep(20);
  }
}

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 120_000;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(what);
    await sleep(200);
  }
}

async function runVariant(name: string, round: number): Promise<Sample[]> {
  const variant = ALL_VARIANTS.find((v) => v.name === name);
  if (!variant) throw new Error(`unknown variant ${name}`);
  const ports = await serverPorts(variant);
  const { port, metricsPort } = ports;
  const file = join(dir, `${name}-${round}.jsonl`);
  const { argv, env } = serverCommand(variant, ports, {
    flags: [...(values['trace-gc'] ? ['--trace-gc-nvp'] : []), ...values['node-flags'].split(' ').filter(Boolean)],
    preloads: [PROBE, ...(values.preload ? [values.preload] : [])], // the probe, then an experiment's own preload
    env: { BENCH_HEAP_PROBE: file, ...extraEnv },
  });
  const server = spawn(process.execPath, argv, { cwd: BENCH_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
  server.stdout?.on('data', keep);
  let gcLines = '';
  let tracing = false;
  server.stdout?.on('data', (chunk: Buffer) => {
    if (tracing) gcLines += chunk.toString();
  });
  server.stderr?.on('data', keep);
  const pid = server.pid!;
  try {
    await waitFor(port, '/healthz', server, () => output);
    if (metricsPort !== undefined) await waitFor(metricsPort, '/metrics', server, () => output);
    const load0 = { threads: 2, connections: 32, path: '/pad?len=1000', headers: variant.headers };
    await wrk(port, 2, load0);
    const samples: Sample[] = [await probe(pid, file, 0)];
    if (values['heap-profile']) process.kill(pid, 'SIGTTOU'); // starts sampling
    const started = performance.now();
    tracing = true;
    const load = wrk(port, seconds, load0);
    for (let at = every; at < seconds; at += every) {
      await sleep(started + at * 1e3 - performance.now());
      samples.push(await probe(pid, file, at));
    }
    if (values['heap-profile']) {
      process.kill(pid, 'SIGTTOU'); // writes what the sampling profiler holds, under load
      await until(() => readFileSync(file, 'utf8').includes('"heapprofile"'), 'no heap profile');
    }
    if (values.snapshot) {
      // Under load: what the in-flight requests hold is part of what survives a scavenge.
      process.kill(pid, 'SIGTTIN');
      await until(() => readFileSync(file, 'utf8').includes('"snapshot"'), 'no heap snapshot');
    }
    const result = await load;
    tracing = false;
    if (values['trace-gc']) gcSummary.push({ name, ...survival(gcLines, seconds) });
    samples.push(await probe(pid, file, seconds));
    console.error(`${name} round ${round}: ${result.reqPerSec.toFixed(0)} req/s`);
    return samples;
  } finally {
    await stop(server);
  }
}

interface Survival {
  name: string;
  scavengesPerSecond: number;
  markCompacts: number;
  survivedKiBPerScavenge: number;
  survivedMiBPerSecond: number;
  promotedMiBPerSecond: number;
  capacities: string;
}
const gcSummary: Survival[] = [];

/** Sums the `--trace-gc-nvp` lines of the load: scavenges (gc=s), what survived them, what was promoted. */
function survival(lines: string, seconds: number): Omit<Survival, 'name'> {
  let scavenges = 0;
  let markCompacts = 0;
  let survived = 0;
  let promoted = 0;
  const capacities: number[] = [];
  for (const line of lines.split('\n')) {
    const kind = / gc=(\w+) /.exec(line)?.[1];
    if (kind === undefined) continue;
    const field = (name: string) => Number(new RegExp(` ${name}=(\\d+)`).exec(line)?.[1] ?? 0);
    if (kind === 's') {
      scavenges++;
      survived += field('new_space_survived') + field('promoted');
      promoted += field('promoted');
      const capacity = field('new_space_capacity');
      if (capacities.at(-1) !== capacity) capacities.push(capacity);
    } else markCompacts++;
  }
  return {
    scavengesPerSecond: scavenges / seconds,
    markCompacts,
    survivedKiBPerScavenge: survived / scavenges / 1024,
    survivedMiBPerSecond: survived / seconds / MiB,
    promotedMiBPerSecond: promoted / seconds / MiB,
    capacities: capacities.map((c) => (c / MiB).toFixed(0)).join(' -> '),
  };
}

const results: Record<string, Sample[][]> = {};
for (let round = 0; round < Number(values.rounds); round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]!);
  for (const name of order) (results[name] ??= []).push(await runVariant(name, round));
}
removeStoreDir();

const FIELDS: (keyof Sample)[] = [
  'rss',
  'anon',
  'file',
  'heapPhysical',
  'heapUsed',
  'newSpace',
  'oldSpace',
  'code',
  'largeObject',
  'external',
  'arrayBuffers',
  'malloced',
];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const times = results[names[0]!]![0]!.map((s) => s.at);
const mean = (name: string, i: number, field: keyof Sample) => median(results[name]!.map((r) => r[i]![field]));
console.log(`MiB, median of ${values.rounds} round(s); "+x" is over ${BASELINE} at the same time point`);
for (const [i, at] of times.entries()) {
  if (i !== 0 && at !== seconds && at !== 10 && at % 15 !== 0 && at !== every) continue;
  console.log(`\nafter ${at} s of load`);
  console.log(['variant', ...FIELDS].map((f) => f.padStart(12)).join(''));
  for (const name of names) {
    const cells = FIELDS.map((f) => {
      const v = mean(name, i, f) / MiB;
      if (name === BASELINE || !results[BASELINE]) return v.toFixed(1).padStart(12);
      const d = v - mean(BASELINE, i, f) / MiB;
      return `${v.toFixed(1)} ${d >= 0 ? '+' : ''}${d.toFixed(1)}`.padStart(12);
    });
    console.log([name.padStart(12), ...cells].join(''));
  }
}
if (gcSummary.length > 0) {
  console.log('\nscavenges over the load (--trace-gc-nvp)');
  console.table(
    gcSummary.map((g) => ({
      ...g,
      scavengesPerSecond: +g.scavengesPerSecond.toFixed(1),
      survivedKiBPerScavenge: +g.survivedKiBPerScavenge.toFixed(1),
      survivedMiBPerSecond: +g.survivedMiBPerSecond.toFixed(2),
      promotedMiBPerSecond: +g.promotedMiBPerSecond.toFixed(3),
    })),
  );
}
const out = values.out ?? join(dir, 'memory.json');
writeFileSync(out, JSON.stringify({ options: values, results, gc: gcSummary }, null, 2));
console.log(`\nsamples: ${out}${values.snapshot ? `; heap snapshots in ${dir}` : ''}`);
