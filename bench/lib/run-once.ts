// One run: a fresh server, a warm-up, the measured load, the scrapes, and the figures read from /proc.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { get, stop, waitFor } from './http.ts';
import { options } from './options.ts';
import { CLK_TCK, cpuNanos, cpuTicks, machineTicks, memory, runnerTicks, threadNanos } from './proc.ts';
import { serverCommand, serverPorts } from './server-command.ts';
import { sink } from './sink.ts';
import { quantile } from './stats.ts';
import type { Run, Scrapes, Variant } from './types.ts';
import { BENCH_DIR } from './variants.ts';
import { wrk } from './wrk.ts';

async function readRecorder(port: number): Promise<Run['recorder']> {
  const page = await get(port, '/debug/pprof/');
  if (page.status !== 200) throw new Error(`/debug/pprof/ answered ${page.status}: ${page.body.slice(0, 300)}`);
  const held = /the flight recorder holds (\d+) windows \((\d+) KiB\)/.exec(page.body);
  if (held) return { continuous: true, windows: Number(held[1]), kib: Number(held[2]) };
  if (/Continuous profiling is off/.test(page.body)) return { continuous: false, windows: 0, kib: 0 };
  throw new Error(`cannot find the flight recorder's size in /debug/pprof/:\n${page.body.slice(0, 2_000)}`);
}

export async function runOnce(
  variant: Variant,
  round: number,
  position: number,
  seconds = options.seconds,
): Promise<Run> {
  const ports = await serverPorts(variant);
  const { port, metricsPort, sparePort } = ports;
  const { argv, env } = serverCommand(variant, ports, { sinkUrl: sink.url });
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

    const load0 = { ...options, headers: variant.headers };
    await wrk(port, options.warmup, load0);
    const machine0 = machineTicks();
    const runner0 = runnerTicks();
    const wall0 = performance.now();
    const ticks0 = cpuTicks(pid);
    const nanos0 = cpuNanos(pid);
    const threads0 = threadNanos(pid);
    const rssReads: number[] = [];
    const sampler = setInterval(() => rssReads.push(memory(pid).rssKiB), 1_000);
    const load = await wrk(port, seconds, load0).finally(() => clearInterval(sampler));
    const ticks = cpuTicks(pid) - ticks0;
    const nanos = cpuNanos(pid) - nanos0;
    const threads = [...threadNanos(pid)].map(([kind, n]) => [kind, (n - (threads0.get(kind) ?? 0)) / 1e3] as const);
    const wallSeconds = (performance.now() - wall0) / 1e3;
    const machine1 = machineTicks();
    const runner1 = runnerTicks();
    // CPU used by everything but the server, wrk and this runner: other work on the machine disturbing the run
    const foreignTicks =
      machine1.busy - machine0.busy - ticks - (runner1.children - runner0.children) - (runner1.self - runner0.self);
    const afterLoad = memory(pid);
    rssReads.push(afterLoad.rssKiB);
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
        if (response.status !== 200)
          throw new Error(`${variant.name}: /metrics answered ${response.status}: ${response.body.slice(0, 500)}`);
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
      threadUsPerRequest: Object.fromEntries(threads.map(([kind, micros]) => [kind, micros / load.requests])),
      rssAfterLoadKiB: afterLoad.rssKiB,
      rssMeanKiB: rssReads.reduce((a, b) => a + b, 0) / rssReads.length,
      rssPeakKiB: Math.max(...rssReads),
      rssEndKiB: end.rssKiB,
      hwmKiB: end.hwmKiB,
      ...(scrapes ? { scrapes } : {}),
      ...(recorder ? { recorder } : {}),
      ...(variant.pushes
        ? { pushes: { requests: sink.requests - pushes0.requests, bytes: sink.bytes - pushes0.bytes } }
        : {}),
    };
  } finally {
    await stop(server);
  }
}
