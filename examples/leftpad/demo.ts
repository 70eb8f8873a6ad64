/**
 * `pnpm demo`: starts the left-pad service instrumented by Vigil (with no code change: `--import @vigil/sdk/register`),
 * drives load at it, and prints what to open. Keeps serving until Ctrl-C; `--once` exits after the summary.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeProfile, formatWhatChanged, topTable } from '@vigil/pprof';
import type { WhatChanged } from '@vigil/store';
import { driveLoad } from './src/load.ts';

const once = process.argv.includes('--once');
const seconds = Number(process.env.DEMO_SECONDS ?? 6);
const here = fileURLToPath(new URL('.', import.meta.url));

const appPort = await portOr(8080);
const metricsPort = await portOr(9464);
const debugPort = await portOr(6060);
const app = spawn(process.execPath, ['--conditions=source', '--import', '@vigil/sdk/register', 'src/server.ts'], {
  cwd: here,
  env: {
    ...process.env,
    PORT: String(appPort),
    OTEL_SERVICE_NAME: 'leftpad',
    VIGIL_METRICS_HOST: '127.0.0.1',
    VIGIL_METRICS_PORT: String(metricsPort),
    VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
    VIGIL_RULES: join(here, 'demo-rules.yml'),
    VIGIL_EVENT_LOOP_WINDOW: '5s',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stopApp = () => app.kill('SIGTERM');
process.on('SIGINT', () => {
  stopApp();
  process.exit(0);
});

const base = `http://127.0.0.1:${appPort}`;
const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
const debugUrl = `http://127.0.0.1:${debugPort}/debug/pprof`;
await until(
  async () => (await fetch(`${base}/healthz`)).ok && (await fetch(metricsUrl)).ok,
  'the service and its metrics',
);

console.log(`\ndriving load at ${base} for ${seconds}s (/pad, /catalogue)...`);
const loading = driveLoad(base, ['/pad?len=3000', '/catalogue', '/pad?len=1000'], {
  durationMillis: seconds * 1_000,
  concurrency: 16,
});
// Meanwhile, profile the live process the way `go tool pprof` would: the last 3 s of the load, plus 2 s before.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds - 3) * 1_000));
const profileResponse = await fetch(`${debugUrl}/profile?seconds=3&lookback=2`);
// And an incident: one request stalls the event loop for 2 s. The rule in demo-rules.yml captures it by itself.
const stallAt = Date.now();
await fetch(`${base}/block?ms=2000`);
const load = await loading;
const captured = await until(async () => {
  const { captures } = (await (
    await fetch(`http://127.0.0.1:${debugPort}/debug/vigil/captures?rule=demo-stall&since=${stallAt}`)
  ).json()) as {
    captures: Array<{
      id: string;
      startedAt: string;
      endedAt: string;
      reason: { value?: number };
      whatChanged?: WhatChanged;
    }>;
  };
  return captures[0];
}, 'the triggered capture');
const capturedTop = topTable(
  await decodeProfile(
    Buffer.from(await (await fetch(`http://127.0.0.1:${debugPort}/debug/vigil/captures/${captured.id}`)).arrayBuffer()),
  ),
  'cpu',
)
  .rows.filter((r) => r.flat > 0)
  .slice(0, 3)
  .map((r) => `    ${(r.flat / 1e6).toFixed(0).padStart(6)} ms  ${r.name}`)
  .join('\n');
// What the capture recorded of how the stall differs from the flight recorder's normal before it.
const changed = captured.whatChanged;
const whatChanged =
  changed && changed.grew.length > 0
    ? `What changed against the ${Math.round((Date.parse(changed.baseline.endedAt) - Date.parse(changed.baseline.startedAt)) / 1_000)} s before (self share of CPU time):\n${formatWhatChanged(
        { ...changed, grew: changed.grew.slice(0, 3) },
      )
        .map((line) => `    ${line.replace(`${process.cwd()}/`, '')}`)
        .join('\n')}`
    : 'What changed: no baseline (the flight recorder held nothing from before the capture).';
const profileFile = join(here, '..', '..', '.vigil', 'demo', 'cpu.pb.gz');
mkdirSync(dirname(profileFile), { recursive: true });
const profileBytes = Buffer.from(await profileResponse.arrayBuffer());
writeFileSync(profileFile, profileBytes);
const top = topTable(await decodeProfile(profileBytes), 'cpu')
  .rows.filter((r) => r.flat > 0)
  .slice(0, 5)
  .map((r) => `    ${(r.flat / 1e6).toFixed(0).padStart(6)} ms  ${r.name}`)
  .join('\n');
const metrics = await (await fetch(metricsUrl)).text();
const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? NaN);

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const ms = (seconds: number) => `${(seconds * 1e3).toFixed(1)} ms`;
console.log(`
${load.requests} requests served (${load.perSecond.toFixed(0)}/s, ${load.errors} errors). What Vigil saw:
  event-loop delay p99 / max   ${ms(value(/^nodejs_eventloop_delay_p99 ([\d.e+-]+)/m))} / ${ms(value(/^nodejs_eventloop_delay_max ([\d.e+-]+)/m))}
  event-loop utilization       ${(value(/^nodejs_eventloop_utilization ([\d.e+-]+)/m) * 100).toFixed(0)} %
  heap used / limit            ${mib(value(/^v8js_heap_used ([\d.e+-]+)/m))} / ${mib(value(/^v8js_heap_limit ([\d.e+-]+)/m))}
  active handles               ${value(/^nodejs_active_handles_all ([\d.e+-]+)/m)}

CPU profile of the last ${seconds > 3 ? 5 : 3} s (top functions by CPU time, from ${profileFile.replace(`${process.cwd()}/`, '')}):
${top}

Triggered capture ${captured.id} (rule demo-stall: event-loop delay ${((captured.reason.value ?? 0) * 1e3).toFixed(0)} ms > 300 ms),
covering ${captured.startedAt.slice(11, 19)}–${captured.endedAt.slice(11, 19)} UTC, from before the stall:
${capturedTop}
${whatChanged}

Open:
  the triggered capture        http://127.0.0.1:${debugPort}/debug/vigil/captures/${captured.id}/flame
  metrics (Prometheus format)  ${metricsUrl}
  profiles (go tool pprof)     ${debugUrl}/
  the service                  ${base}/pad?len=50

  go tool pprof -top -sample_index=cpu ${profileFile.replace(`${process.cwd()}/`, '')}
  pnpm vigil top ${captured.id} --store file://examples/leftpad/.vigil --sample-index cpu
  pnpm vigil flame ${captured.id} --store file://examples/leftpad/.vigil -o flame.html
  go tool pprof -http=:8081 '${debugUrl}/profile?seconds=10'
`);

if (once) {
  stopApp();
} else {
  console.log('Serving until Ctrl-C.');
}

async function until<T>(check: () => Promise<T>, what: string, timeoutMillis = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stopApp();
  throw new Error(`timed out waiting for ${what}`);
}

/** The preferred port if it is free, else any free one. */
function portOr(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      const fallback = createServer().listen(0, '127.0.0.1', () => {
        const { port } = fallback.address() as { port: number };
        fallback.close(() => resolve(port));
      });
    });
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}
