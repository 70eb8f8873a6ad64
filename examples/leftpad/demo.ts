/**
 * `pnpm demo`: starts the left-pad service instrumented by Vigil (with no code change: `--import @vigil/sdk/register`),
 * drives load at it, and prints what to open. Keeps serving until Ctrl-C; `--once` exits after the summary.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { driveLoad } from './src/load.ts';

const once = process.argv.includes('--once');
const seconds = Number(process.env.DEMO_SECONDS ?? 6);
const here = fileURLToPath(new URL('.', import.meta.url));

const appPort = await portOr(8080);
const metricsPort = await portOr(9464);
const app = spawn(process.execPath, ['--conditions=source', '--import', '@vigil/sdk/register', 'src/server.ts'], {
  cwd: here,
  env: {
    ...process.env,
    PORT: String(appPort),
    OTEL_SERVICE_NAME: 'leftpad',
    VIGIL_METRICS_HOST: '127.0.0.1',
    VIGIL_METRICS_PORT: String(metricsPort),
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
await until(async () => (await fetch(`${base}/healthz`)).ok && (await fetch(metricsUrl)).ok, 'the service and its metrics');

console.log(`\ndriving load at ${base} for ${seconds}s (/pad, /catalogue)...`);
const load = await driveLoad(base, ['/pad?len=2000', '/catalogue', '/pad?len=500'], {
  durationMillis: seconds * 1_000,
  concurrency: 16,
});
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

Open:
  metrics (Prometheus format)  ${metricsUrl}
  the service                  ${base}/pad?len=50
`);

if (once) {
  stopApp();
} else {
  console.log('Serving until Ctrl-C.');
}

async function until(check: () => Promise<boolean>, what: string, timeoutMillis = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
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
