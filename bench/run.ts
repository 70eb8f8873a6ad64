/**
 * Overhead benchmark (issue #2 item 9): examples/leftpad under wrk on loopback, with no instrumentation, with Vigil,
 * with prom-client's default metrics and with OpenTelemetry's runtime-node instrumentation, in alternating rounds.
 *
 *   pnpm bench [--rounds 10] [--seconds 8] [--warmup 2] [--scrapes 20] [--variants a,b,...] [--out FILE]
 *              [--long-seconds S --long-rounds N]
 *
 * Issues #3 and #4 (continuous profiling, span labels): the variants vigil-profiling-off, vigil-profiling, vigil-http,
 * vigil-labels-cped, vigil-labels-hooks and pyroscope. The Vigil ones serve the debug endpoints, from which the runner
 * reads the flight recorder's size after the load; pyroscope pushes to a sink in this process. --long-seconds adds
 * rounds with a long load, so that the flight recorder is full (60 s) when read.
 *
 * Each run starts a fresh server process (Node 24), warms it up, then reads the server's CPU time
 * (utime + stime from /proc/PID/stat) around one wrk run. CPU per request is that delta over the requests wrk counted.
 * Throughput on these shared 2-core machines swings by ~20 % between identical runs, so every figure of a variant is
 * compared with the baseline run of the same round, and the report gives the median and spread of those ratios.
 * See bench/README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const SERVER = join(ROOT, 'examples/leftpad/src/server.ts');
const HOST = '127.0.0.1';
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

// ---------------------------------------------------------------------------------------------------------------------
// Variants

interface Variant {
  name: string;
  label: string;
  /** What `--import` preloads: a bare specifier resolved from bench/ (the children's cwd) or an absolute file. */
  preload?: string;
  /** Vigil variants: load Vigil from its TypeScript sources (`--conditions=source`) instead of the build in dist/. */
  source?: boolean;
  /** Environment for the variant, given its metrics port and a spare free port; undefined when it serves no /metrics. */
  metricsEnv?: (port: number, spare: number) => Record<string, string>;
  /**
   * Vigil's debug server listens on the spare port (VIGIL_DEBUG_ADDR): the runner waits for it, and after the load reads
   * the flight recorder's size from its index page.
   */
  debug?: boolean;
  /** Environment for a variant that serves no /metrics (given the URL of the runner's pyroscope sink). */
  env?: (sinkUrl: string) => Record<string, string>;
  /** Pushes profiles to the runner's sink, which counts what it receives. */
  pushes?: boolean;
}

const BASELINE = 'baseline';
const VIGIL = 'vigil';
const PEERS = ['prom-client', 'runtime-node'];

const ALL_VARIANTS: Variant[] = [
  { name: BASELINE, label: 'no instrumentation' },
  {
    // What issue #2 item 9 asks about: Vigil's metrics. `register` also starts, by default, a continuous CPU profiler,
    // a debug server and HTTP server spans; they are switched off here and measured by `vigil-default`.
    name: VIGIL,
    label: 'Vigil metrics (register; VIGIL_PROFILING=false VIGIL_DEBUG_ADDR=off VIGIL_INSTRUMENT_HTTP=false)',
    preload: '@vigil/sdk/register',
    metricsEnv: (port) => ({
      VIGIL_METRICS_HOST: HOST,
      VIGIL_METRICS_PORT: String(port),
      VIGIL_PROFILING: 'false',
      VIGIL_DEBUG_ADDR: 'off',
      VIGIL_INSTRUMENT_HTTP: 'false',
    }),
  },
  {
    name: 'prom-client',
    label: 'prom-client 15.1.3 collectDefaultMetrics()',
    preload: join(BENCH_DIR, 'variants/prom-client.ts'),
    metricsEnv: (port) => ({ BENCH_METRICS_HOST: HOST, BENCH_METRICS_PORT: String(port) }),
  },
  {
    name: 'runtime-node',
    label: '@opentelemetry/instrumentation-runtime-node 0.37.0 + exporter-prometheus 0.301.0',
    preload: join(BENCH_DIR, 'variants/runtime-node.ts'),
    metricsEnv: (port) => ({ BENCH_METRICS_HOST: HOST, BENCH_METRICS_PORT: String(port) }),
  },
  // Not in the default set (add them with --variants):
  {
    // Everything `register` turns on by default: metrics, the continuous profiler (flight recorder), the debug server.
    name: 'vigil-default',
    label: 'Vigil with its defaults (metrics, continuous profiling, debug server, HTTP spans)',
    preload: '@vigil/sdk/register',
    metricsEnv: (port, spare) => ({ VIGIL_METRICS_HOST: HOST, VIGIL_METRICS_PORT: String(port), VIGIL_DEBUG_ADDR: `${HOST}:${spare}` }),
  },
  {
    name: 'vigil-source',
    label: 'Vigil metrics loaded from its TypeScript sources (--conditions=source)',
    preload: '@vigil/sdk/register',
    source: true,
    metricsEnv: (port) => ({ VIGIL_METRICS_HOST: HOST, VIGIL_METRICS_PORT: String(port), VIGIL_PROFILING: 'false', VIGIL_DEBUG_ADDR: 'off', VIGIL_INSTRUMENT_HTTP: 'false' }),
  },
  {
    name: 'vigil-prom-names',
    label: 'Vigil metrics with VIGIL_METRIC_NAMES=prom-client',
    preload: '@vigil/sdk/register',
    metricsEnv: (port) => ({
      VIGIL_METRICS_HOST: HOST,
      VIGIL_METRICS_PORT: String(port),
      VIGIL_METRIC_NAMES: 'prom-client',
      VIGIL_PROFILING: 'false',
      VIGIL_DEBUG_ADDR: 'off',
      VIGIL_INSTRUMENT_HTTP: 'false',
    }),
  },
  // Issue #3 (continuous profiling) and issue #4 (span labels). All of them run without the default trigger rules
  // (a rule's capture must not land in a run), store any capture in a temporary directory, and serve the debug
  // endpoints, whose index page tells the flight recorder's size.
  {
    name: 'vigil-profiling-off',
    label: 'Vigil metrics + debug server, no continuous profiling (VIGIL_PROFILING=off, no HTTP spans, no labels)',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) => vigilEnv(port, spare, { VIGIL_PROFILING: 'off', VIGIL_INSTRUMENT_HTTP: 'false', VIGIL_SPAN_LABELS: 'off' }),
  },
  {
    name: 'vigil-profiling',
    label: 'Vigil with continuous profiling (flight recorder), no HTTP spans, no labels',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) => vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'false', VIGIL_SPAN_LABELS: 'off' }),
  },
  {
    name: 'vigil-http',
    label: 'Vigil with continuous profiling and HTTP server spans, no labels (the reference for the labels)',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) => vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'true', VIGIL_SPAN_LABELS: 'off' }),
  },
  {
    name: 'vigil-labels-cped',
    label: 'vigil-http + span labels through the async-context frame (VIGIL_SPAN_LABELS=cped)',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) => vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'true', VIGIL_SPAN_LABELS: 'cped' }),
  },
  {
    name: 'vigil-labels-hooks',
    label: 'vigil-http + span labels through an async hook (VIGIL_SPAN_LABELS=async-hooks)',
    preload: '@vigil/sdk/register',
    debug: true,
    metricsEnv: (port, spare) => vigilEnv(port, spare, { VIGIL_PROFILING: 'on', VIGIL_INSTRUMENT_HTTP: 'true', VIGIL_SPAN_LABELS: 'async-hooks' }),
  },
  {
    name: 'pyroscope',
    label: '@pyroscope/nodejs 0.6.4: wall (100 Hz) + heap profiling, pushed every 5 s to a local sink',
    preload: join(BENCH_DIR, 'variants/pyroscope.ts'),
    pushes: true,
    env: (sinkUrl) => ({ BENCH_PYROSCOPE_URL: sinkUrl, BENCH_PYROSCOPE_FLUSH_MS: '5000' }),
  },
];
const DEFAULT_VARIANTS = [BASELINE, VIGIL, ...PEERS];
const PROFILING = 'vigil-profiling';
const PROFILING_OFF = 'vigil-profiling-off';
const PYROSCOPE = 'pyroscope';
const HTTP = 'vigil-http';
const LABELS = ['vigil-labels-cped', 'vigil-labels-hooks'];

/** A temporary capture store for the Vigil variants of issues #3 and #4 (made on first use, removed at the end). */
let storeDir: string | undefined;
const STORE_DIR = () => (storeDir ??= mkdtempSync(join(tmpdir(), 'vigil-bench-store-')));

function vigilEnv(port: number, spare: number, settings: Record<string, string>): Record<string, string> {
  return {
    VIGIL_METRICS_HOST: HOST,
    VIGIL_METRICS_PORT: String(port),
    VIGIL_DEBUG_ADDR: `${HOST}:${spare}`,
    VIGIL_DEFAULT_RULES: 'off',
    VIGIL_STORE: `file://${STORE_DIR()}`,
    ...settings,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    scrapes: { type: 'string', default: '20' },
    disturbed: { type: 'string', default: '0.15' },
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '2' },
    path: { type: 'string', default: '/pad?len=1000' },
    'long-seconds': { type: 'string', default: '0' },
    'long-rounds': { type: 'string', default: '1' },
    variants: { type: 'string', default: DEFAULT_VARIANTS.join(',') },
    out: { type: 'string', default: join(BENCH_DIR, 'results/latest.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: pnpm bench [--rounds N] [--seconds S] [--warmup S] [--scrapes N] [--connections N] [--threads N]\n' +
      '                  [--disturbed CORES] [--long-seconds S] [--long-rounds N]\n' +
      `                  [--path /pad?len=1000] [--variants ${ALL_VARIANTS.map((v) => v.name).join(',')}] [--out FILE]`,
  );
  process.exit(0);
}
const positive = (name: string, raw: string | undefined, integer: boolean): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    console.error(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
};
const options = {
  rounds: positive('rounds', args.rounds, true),
  seconds: positive('seconds', args.seconds, true),
  warmup: positive('warmup', args.warmup, true),
  scrapes: positive('scrapes', args.scrapes, true),
  /** A run is disturbed when other processes used more than this many cores (or the hypervisor stole as much). */
  disturbed: positive('disturbed', args.disturbed, false),
  connections: positive('connections', args.connections, true),
  threads: positive('threads', args.threads, true),
  path: args.path ?? '/pad?len=1000',
  /**
   * After the rounds, runs of S seconds of load (0: none), so that the flight recorder fills to its default reach
   * (60 s) before its size and the RSS are read: a normal run holds only a window or two.
   */
  longSeconds: args['long-seconds'] === '0' ? 0 : positive('long-seconds', args['long-seconds'], true),
  longRounds: positive('long-rounds', args['long-rounds'], true),
};
const variants = (args.variants ?? '').split(',').map((name) => {
  const variant = ALL_VARIANTS.find((v) => v.name === name.trim());
  if (variant === undefined) {
    console.error(`--variants: unknown variant ${JSON.stringify(name)}; known: ${ALL_VARIANTS.map((v) => v.name).join(', ')}`);
    process.exit(2);
  }
  return variant;
});
if (variants[0]?.name !== BASELINE) {
  console.error(`--variants: the first variant must be ${BASELINE}: every figure is a ratio to it`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------------------
// /proc

/** utime + stime of all the process's threads, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return Number(fields[11]) + Number(fields[12]);
}

/** Time on CPU of all the process's threads in nanoseconds (first field of each thread's schedstat): finer than ticks. */
function cpuNanos(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return total;
}

/** Busy (user + nice + system) and stolen ticks of the whole machine, from the first line of /proc/stat. */
function machineTicks(): { busy: number; steal: number } {
  const [user, nice, system, , , , , steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: user! + nice! + system!, steal: steal ?? 0 };
}

/** This runner's own ticks, and those of its reaped children (cutime + cstime: wrk once it has exited). */
function runnerTicks(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { self: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
}

/** VmRSS and VmHWM in KiB. */
function memory(pid: number): { rssKiB: number; hwmKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

// ---------------------------------------------------------------------------------------------------------------------
// Processes and HTTP

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, HOST, ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

interface Response {
  status: number;
  body: string;
  ms: number;
}

function get(port: number, path: string, timeoutMs = 5_000): Promise<Response> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const req = request({ host: HOST, port, path, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', fail);
    req.end();
  });
}

async function waitFor(port: number, path: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode} before serving ${path}:\n${output()}`);
    try {
      if ((await get(port, path, 1_000)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`server did not serve ${path} on port ${port} within 20 s:\n${output()}`);
    await sleep(50);
  }
}

interface Wrk {
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  output: string;
}

function toMs(value: string, unit: string): number {
  const scale: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3 };
  return Number(value) * (scale[unit] ?? NaN);
}

function parseWrk(output: string): Wrk {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)/m.exec(output);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)/m.exec(output);
  if (!total || !rps || !p50 || !p99) throw new Error(`cannot parse wrk output:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(total[1]),
    seconds: toMs(total[2]!, total[3]!) / 1e3,
    reqPerSec: Number(rps[1]),
    p50Ms: toMs(p50[1]!, p50[2]!),
    p99Ms: toMs(p99[1]!, p99[2]!),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    output,
  };
}

function wrk(port: number, seconds: number): Promise<Wrk> {
  const argv = [`-t${options.threads}`, `-c${options.connections}`, `-d${seconds}s`, '--latency', `http://${HOST}:${port}${options.path}`];
  return new Promise((ok, fail) => {
    const child = spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => fail(new Error(`cannot run wrk (${error.message}); install it: apt-get install wrk`)));
    child.on('exit', (code) => {
      if (code !== 0) fail(new Error(`wrk exited with ${code}:\n${output}`));
      else {
        try {
          ok(parseWrk(output));
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
  });
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((ok) => server.once('exit', () => ok()));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------------------------
// One run

interface Scrapes {
  count: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  bytes: number;
  samples: number;
  /** Server CPU per scrape from schedstat, in milliseconds. */
  cpuMs: number;
}

interface Run {
  round: number;
  position: number;
  variant: string;
  startupMs: number;
  requests: number;
  wrkSeconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  cpuTicks: number;
  /** Cores' worth of CPU that other processes used during the load, and that the hypervisor stole. */
  foreignCores: number;
  stealCores: number;
  /** The figure to judge on: server utime + stime per request, in microseconds. */
  cpuUsPerRequest: number;
  /** Cross-check from schedstat (ns precision). */
  schedUsPerRequest: number;
  rssAfterLoadKiB: number;
  rssEndKiB: number;
  hwmKiB: number;
  scrapes?: Scrapes;
  /** The flight recorder after the load, from the debug server's index page (variants with `debug`). */
  recorder?: { continuous: boolean; windows: number; kib: number };
  /** What the pyroscope variant pushed to the sink during the whole run (warm-up included). */
  pushes?: { requests: number; bytes: number };
}

// ---------------------------------------------------------------------------------------------------------------------
// The pyroscope sink: answers 200 to anything, reads and discards the body, counts requests and bytes.

const sink = { url: '', requests: 0, bytes: 0, close: async () => {} };

async function startSink(): Promise<void> {
  const server = createHttpServer((req, res) => {
    sink.requests++;
    req.on('data', (chunk: Buffer) => (sink.bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
  });
  await new Promise<void>((ok) => server.listen(0, HOST, ok));
  sink.url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  sink.close = () => new Promise<void>((ok) => {
    server.closeAllConnections();
    server.close(() => ok());
  });
}

/** `the flight recorder holds N windows (K KiB)` from the debug server's index page. */
async function readRecorder(port: number): Promise<Run['recorder']> {
  const page = await get(port, '/debug/pprof/');
  if (page.status !== 200) throw new Error(`/debug/pprof/ answered ${page.status}: ${page.body.slice(0, 300)}`);
  const held = /the flight recorder holds (\d+) windows \((\d+) KiB\)/.exec(page.body);
  if (held) return { continuous: true, windows: Number(held[1]), kib: Number(held[2]) };
  if (/Continuous profiling is off/.test(page.body)) return { continuous: false, windows: 0, kib: 0 };
  throw new Error(`cannot find the flight recorder's size in /debug/pprof/:\n${page.body.slice(0, 2_000)}`);
}

async function runOnce(variant: Variant, round: number, position: number, seconds = options.seconds): Promise<Run> {
  const port = await freePort();
  const metricsPort = variant.metricsEnv ? await freePort() : undefined;
  const sparePort = variant.metricsEnv ? await freePort() : 0;
  // Without --conditions=source, @vigil/* resolve to their dist/ build, as for an application that installed Vigil;
  // the peers are plain JavaScript either way, and the leftpad server is TypeScript that Node 24 strips in every variant.
  const argv = [...(variant.source ? ['--conditions=source'] : []), ...(variant.preload ? ['--import', variant.preload] : []), SERVER];
  const env = {
    ...process.env,
    PORT: String(port),
    HOST,
    LEFTPAD_LOG: '/dev/null',
    ...(variant.metricsEnv && metricsPort !== undefined ? variant.metricsEnv(metricsPort, sparePort) : {}),
    ...(variant.env ? variant.env(sink.url) : {}),
  };
  const pushes0 = { requests: sink.requests, bytes: sink.bytes };
  const started = performance.now();
  // process.execPath is the real Node 24 binary (node_modules/.bin/node is a shell wrapper: its pid would not be the server's)
  const server = spawn(process.execPath, argv, { cwd: BENCH_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  const pid = server.pid;
  if (pid === undefined) throw new Error(`cannot start ${variant.name}`);
  try {
    await waitFor(port, '/healthz', server, () => output);
    if (metricsPort !== undefined) {
      await waitFor(metricsPort, '/metrics', server, () => output); // also the first collection, outside the measurement
    }
    if (variant.debug) await waitFor(sparePort, '/debug/pprof/', server, () => output);
    const startupMs = performance.now() - started;

    await wrk(port, options.warmup);
    const machine0 = machineTicks();
    const runner0 = runnerTicks();
    const wall0 = performance.now();
    const ticks0 = cpuTicks(pid);
    const nanos0 = cpuNanos(pid);
    const load = await wrk(port, seconds);
    const ticks = cpuTicks(pid) - ticks0;
    const nanos = cpuNanos(pid) - nanos0;
    const wallSeconds = (performance.now() - wall0) / 1e3;
    const machine1 = machineTicks();
    const runner1 = runnerTicks();
    // CPU used by everything but the server, wrk and this runner: other work on the machine disturbing the run
    const foreignTicks =
      machine1.busy - machine0.busy - ticks - (runner1.children - runner0.children) - (runner1.self - runner0.self);
    const afterLoad = memory(pid);
    if (server.exitCode !== null) throw new Error(`server exited during the load:\n${output}`);
    const recorder = variant.debug ? await readRecorder(sparePort) : undefined;

    let scrapes: Scrapes | undefined;
    if (metricsPort !== undefined) {
      const times: number[] = [];
      const sizes: number[] = [];
      let body = '';
      const scrapeNanos0 = cpuNanos(pid);
      for (let i = 0; i < options.scrapes; i++) {
        const response = await get(metricsPort, '/metrics');
        if (response.status !== 200) throw new Error(`${variant.name}: /metrics answered ${response.status}: ${response.body.slice(0, 500)}`);
        times.push(response.ms);
        sizes.push(Buffer.byteLength(response.body));
        body = response.body;
      }
      const scrapeNanos = cpuNanos(pid) - scrapeNanos0;
      scrapes = {
        count: times.length,
        medianMs: quantile(times, 0.5),
        minMs: Math.min(...times),
        maxMs: Math.max(...times),
        bytes: Math.round(quantile(sizes, 0.5)),
        samples: body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length,
        cpuMs: scrapeNanos / 1e6 / times.length,
      };
    }
    const end = memory(pid);
    return {
      round,
      position,
      variant: variant.name,
      startupMs,
      requests: load.requests,
      wrkSeconds: load.seconds,
      reqPerSec: load.reqPerSec,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      non2xx: load.non2xx,
      socketErrors: load.socketErrors,
      cpuTicks: ticks,
      foreignCores: Math.max(0, foreignTicks) / CLK_TCK / wallSeconds,
      stealCores: (machine1.steal - machine0.steal) / CLK_TCK / wallSeconds,
      cpuUsPerRequest: ((ticks / CLK_TCK) * 1e6) / load.requests,
      schedUsPerRequest: nanos / 1e3 / load.requests,
      rssAfterLoadKiB: afterLoad.rssKiB,
      rssEndKiB: end.rssKiB,
      hwmKiB: end.hwmKiB,
      ...(scrapes ? { scrapes } : {}),
      ...(recorder ? { recorder } : {}),
      ...(variant.pushes ? { pushes: { requests: sink.requests - pushes0.requests, bytes: sink.bytes - pushes0.bytes } } : {}),
    };
  } finally {
    await stop(server);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Statistics

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

interface Spread {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
  n: number;
}

function spread(values: readonly number[]): Spread {
  return {
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

const MiB = 1024;

interface VariantSummary {
  variant: string;
  label: string;
  runs: number;
  absolute: {
    cpuUsPerRequest: number;
    schedUsPerRequest: number;
    reqPerSec: number;
    p99Ms: number;
    rssMiB: number;
    rssEndMiB: number;
    startupMs: number;
  };
  /** Ratios to the baseline run of the same round (absent for the baseline). */
  ratios?: { cpuPerRequest: Spread; schedPerRequest: Spread; reqPerSec: Spread; p99: Spread };
  /** RSS after the load minus the baseline's in the same round, MiB. */
  rssOverBaselineMiB?: Spread;
  scrape?: { medianMs: Spread; bytes: number; samples: number; cpuMs: Spread };
  /** The flight recorder after the load (continuous profiling on). */
  recorder?: { windows: Spread; kib: Spread };
  /** What the pyroscope variant pushed per run. */
  pushes?: { requests: Spread; kib: Spread };
}

function summarize(runs: readonly Run[]): VariantSummary[] {
  const baselineOf = new Map(runs.filter((r) => r.variant === BASELINE).map((r) => [r.round, r]));
  return variants.map((variant) => {
    const mine = runs.filter((r) => r.variant === variant.name);
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
        cpuUsPerRequest: quantile(mine.map((r) => r.cpuUsPerRequest), 0.5),
        schedUsPerRequest: quantile(mine.map((r) => r.schedUsPerRequest), 0.5),
        reqPerSec: quantile(mine.map((r) => r.reqPerSec), 0.5),
        p99Ms: quantile(mine.map((r) => r.p99Ms), 0.5),
        rssMiB: quantile(mine.map((r) => r.rssAfterLoadKiB), 0.5) / MiB,
        rssEndMiB: quantile(mine.map((r) => r.rssEndKiB), 0.5) / MiB,
        startupMs: quantile(mine.map((r) => r.startupMs), 0.5),
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
          }),
      ...(scraped.length > 0
        ? {
            scrape: {
              medianMs: spread(scraped.map((s) => s.medianMs)),
              bytes: Math.round(quantile(scraped.map((s) => s.bytes), 0.5)),
              samples: Math.round(quantile(scraped.map((s) => s.samples), 0.5)),
              cpuMs: spread(scraped.map((s) => s.cpuMs)),
            },
          }
        : {}),
      ...(recorded.length > 0
        ? { recorder: { windows: spread(recorded.map((r) => r.windows)), kib: spread(recorded.map((r) => r.kib)) } }
        : {}),
      ...(pushed.length > 0
        ? { pushes: { requests: spread(pushed.map((p) => p.requests)), kib: spread(pushed.map((p) => p.bytes / 1024)) } }
        : {}),
    };
  });
}

/** Per round, `pick(a's run, b's run)` where both variants ran in that round. */
function pairwise(runs: readonly Run[], a: string, b: string, pick: (ra: Run, rb: Run) => number): Spread | undefined {
  const bOf = new Map(runs.filter((r) => r.variant === b).map((r) => [r.round, r]));
  const values = runs.filter((r) => r.variant === a).flatMap((r) => {
    const other = bOf.get(r.round);
    return other ? [pick(r, other)] : [];
  });
  return values.length > 0 ? spread(values) : undefined;
}

const cpuRatio = (a: Run, b: Run) => a.cpuUsPerRequest / b.cpuUsPerRequest;
const rssDiffMiB = (a: Run, b: Run) => (a.rssAfterLoadKiB - b.rssAfterLoadKiB) / MiB;
const fmtRatio = (s: Spread) => `${s.median.toFixed(3)}x [${s.min.toFixed(3)}-${s.max.toFixed(3)}] (IQR ${s.p25.toFixed(3)}-${s.p75.toFixed(3)}, ${s.n} rounds)`;
const signed = (v: number, digits = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
const fmtMiB = (s: Spread) => `${signed(s.median)} MiB [${signed(s.min)} to ${signed(s.max)}] (${s.n} rounds)`;

interface Target {
  target: string;
  verdict: 'PASS' | 'MISS' | 'n/a' | 'info';
  detail: string;
}

function judge(summaries: readonly VariantSummary[], runs: readonly Run[]): Target[] {
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
    const byRound = (name: string) => new Map(runs.filter((r) => r.variant === name && r.scrapes).map((r) => [r.round, r.scrapes!]));
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
    targets.push({ target: "a scrape faster and smaller than prom-client's", verdict: 'n/a', detail: 'prom-client was not run' });
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
function judgeProfiling(summaries: readonly VariantSummary[], runs: readonly Run[], long: readonly Run[]): Target[] {
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
  const ringOf = (rs: readonly Run[], name: string) => rs.filter((r) => r.variant === name && r.recorder?.continuous).map((r) => r.recorder!);
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
    if (!mine || !theirs || !pair) return { target: `#3 memory over the baseline less than @pyroscope/nodejs's (${when})`, verdict: 'n/a', detail: 'pyroscope was not run' };
    return {
      target: `#3 memory over the baseline less than @pyroscope/nodejs's (${when})`,
      verdict: mine.median < theirs.median ? 'PASS' : 'MISS',
      detail: `${PROFILING} ${fmtMiB(mine)} vs pyroscope ${fmtMiB(theirs)}; pairwise ${PROFILING} - pyroscope ${fmtMiB(pair)}`,
    };
  };
  if (pyroscope) {
    targets.push(memoryTarget(runs, `after ${options.warmup} + ${options.seconds} s of load`));
    if (long.some((r) => r.variant === PYROSCOPE)) targets.push(memoryTarget(long, `after ${options.warmup} + ${options.longSeconds} s of load, ring full`));
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
function judgeLabels(runs: readonly Run[], long: readonly Run[]): Target[] {
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

// ---------------------------------------------------------------------------------------------------------------------
// Report

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ratioCell = (s: Spread | undefined) => (s ? `${s.median.toFixed(3)} [${s.min.toFixed(2)}-${s.max.toFixed(2)}]` : '1 (ref)');
const iqrCell = (s: Spread | undefined) => (s ? `${s.p25.toFixed(3)}-${s.p75.toFixed(3)}` : '');

function report(summaries: readonly VariantSummary[], targets: readonly Target[]): string {
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
    s.rssOverBaselineMiB ? `+${s.rssOverBaselineMiB.median.toFixed(1)} [${s.rssOverBaselineMiB.min.toFixed(1)}-${s.rssOverBaselineMiB.max.toFixed(1)}]` : '0 (ref)',
    s.absolute.startupMs.toFixed(0),
  ]);
  const profiled = summaries.filter((s) => s.recorder || s.pushes);
  const rows3 = profiled.map((s) => [
    s.variant,
    s.recorder ? s.recorder.windows.median.toFixed(0) : '-',
    s.recorder ? `${s.recorder.kib.median.toFixed(0)} [${s.recorder.kib.min.toFixed(0)}-${s.recorder.kib.max.toFixed(0)}]` : '-',
    s.pushes ? s.pushes.requests.median.toFixed(0) : '-',
    s.pushes ? s.pushes.kib.median.toFixed(0) : '-',
  ]);
  return [
    table(['variant', 'CPU µs/req', 'CPU ratio [min-max]', 'CPU IQR', 'req/s', 'req/s ratio [min-max]', 'p99 ms', 'p99 ratio [min-max]'], rows1),
    '',
    table(['variant', 'scrape ms', 'scrape ms range', 'scrape CPU ms', 'scrape bytes', 'samples', 'RSS MiB', 'RSS over base MiB [min-max]', 'ready ms'], rows2),
    '',
    ...(rows3.length > 0
      ? [table(['variant', 'recorder windows', 'recorder KiB [min-max]', 'pushes/run', 'pushed KiB/run'], rows3), '']
      : []),
    ...targets.map((t) => `${t.verdict.padEnd(4)}  ${t.target}: ${t.detail}`),
  ].join('\n');
}

/** The long phase: one line per variant (medians over the long rounds). */
function reportLong(summaries: readonly VariantSummary[]): string {
  const rows = summaries.map((s) => [
    s.variant,
    s.absolute.cpuUsPerRequest.toFixed(1),
    ratioCell(s.ratios?.cpuPerRequest),
    s.absolute.p99Ms.toFixed(2),
    s.absolute.rssMiB.toFixed(1),
    s.rssOverBaselineMiB ? `${signed(s.rssOverBaselineMiB.median)} [${signed(s.rssOverBaselineMiB.min)} to ${signed(s.rssOverBaselineMiB.max)}]` : '0 (ref)',
    s.recorder ? `${s.recorder.windows.median.toFixed(0)}` : '-',
    s.recorder ? `${s.recorder.kib.median.toFixed(0)} [${s.recorder.kib.min.toFixed(0)}-${s.recorder.kib.max.toFixed(0)}]` : '-',
  ]);
  return table(['variant', 'CPU µs/req', 'CPU ratio [min-max]', 'p99 ms', 'RSS MiB', 'RSS over base MiB [min-max]', 'recorder windows', 'recorder KiB [min-max]'], rows);
}

// ---------------------------------------------------------------------------------------------------------------------
// Main

/**
 * The Vigil variants load @vigil/* from dist/ (what an installed package runs). Loading the TypeScript sources instead
 * costs ~16 MiB of RSS in type stripping that no user pays (measure it with the vigil-source variant). Builds dist/
 * through turbo (cached) when it is missing or older than a source file.
 */
function ensureVigilBuilt(): void {
  if (!variants.some((v) => v.preload === '@vigil/sdk/register' && !v.source)) return;
  const packagesDir = join(ROOT, 'packages');
  const newest = (dir: string, pick: (name: string) => boolean): number[] => {
    try {
      return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && pick(entry.name))
        .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs);
    } catch {
      return [];
    }
  };
  let stale = false;
  for (const pkg of readdirSync(packagesDir)) {
    const sources = newest(join(packagesDir, pkg, 'src'), (name) => name.endsWith('.ts'));
    if (sources.length === 0) continue;
    const built = newest(join(packagesDir, pkg, 'dist'), (name) => name.endsWith('.js'));
    if (built.length === 0 || Math.min(...built) < Math.max(...sources)) stale = true;
  }
  if (!stale) return;
  console.log('building @vigil/sdk and its workspace dependencies (dist/ is missing or older than src/): turbo run build');
  const build = spawnSync(join(ROOT, 'node_modules/.bin/turbo'), ['run', 'build', '--filter=@vigil/sdk...', '--output-logs=errors-only'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) {
    console.error('the build failed: fix it, or bench Vigil from its sources with --variants baseline,vigil-source,...');
    process.exit(1);
  }
}

function isDisturbed(run: Run): boolean {
  return run.foreignCores > options.disturbed || run.stealCores > options.disturbed;
}

function machine() {
  const wrkVersion = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    kernel: release(),
    node: process.version,
    wrk: `${wrkVersion.stdout}${wrkVersion.stderr}`.split('\n')[0]?.trim() ?? 'unknown',
    clockTicksPerSecond: CLK_TCK,
  };
}

/** The commit the Vigil under test was built from, and whether its packages or the example had local changes. */
function vigilVersion(): { commit: string; localChanges: boolean } {
  const git = (...argv: string[]) => spawnSync('git', argv, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  return { commit: git('rev-parse', 'HEAD') || 'unknown', localChanges: git('status', '--porcelain', '--', 'packages', 'examples') !== '' };
}

ensureVigilBuilt();
if (variants.some((v) => v.pushes)) await startSink();

const perRun = 1.5 + options.warmup + options.seconds + 0.5;
const perLongRun = 1.5 + options.warmup + options.longSeconds + 0.5;
const minutes = (options.rounds * variants.length * perRun + (options.longSeconds > 0 ? options.longRounds * variants.length * perLongRun : 0)) / 60;
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

function describe(run: Run, rounds: number, round: number): string {
  const warn =
    (run.non2xx + run.socketErrors > 0 ? `  WARNING: ${run.non2xx} non-2xx, ${run.socketErrors} socket errors` : '') +
    (isDisturbed(run) ? `  DISTURBED: other processes ${run.foreignCores.toFixed(2)} cores, steal ${run.stealCores.toFixed(2)}` : '');
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

/** Rounds of all the variants, rotating the order so that each takes each position (and follows each other) in turn. */
async function rounds(count: number, seconds: number, into: Run[]): Promise<void> {
  for (let round = 0; round < count; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    for (const [position, variant] of order.entries()) {
      const run = await runOnce(variant, round, position, seconds);
      into.push(run);
      console.log(describe(run, count, round));
      // what has been measured so far, in case a later run fails
      writeFileSync(`${outFile}.partial`, `${JSON.stringify({ date: startedAt.toISOString(), options, runs, longRuns }, null, 2)}\n`);
      await sleep(300);
    }
  }
}

try {
  await rounds(options.rounds, options.seconds, runs);
  if (options.longSeconds > 0) {
    console.log(`\nlong phase: ${options.longRounds} round(s) of ${options.longSeconds} s of load, the flight recorder filling to its 60 s reach`);
    await rounds(options.longRounds, options.longSeconds, longRuns);
  }
} finally {
  await sink.close();
  if (storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
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
      (longDisturbed.size > 0 ? `, ${longDisturbed.size} of them disturbed by other work on the machine (kept: too few to drop)` : ', none disturbed');
const summaries = summarize(judged);
const longSummaries = longRuns.length > 0 ? summarize(longRuns) : undefined;
const targets = [...judge(summaries, judged), ...judgeProfiling(summaries, judged, longRuns), ...judgeLabels(judged, longRuns)];
console.log(`\nFigures over ${roundsNote}.\n${report(summaries, targets)}\n`);
if (longSummaries) console.log(`Long phase (${longNote}; ${options.longSeconds} s of load):\n${reportLong(longSummaries)}\n`);

const result = {
  date: startedAt.toISOString(),
  durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine: machine(),
  vigil: vigilVersion(),
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
