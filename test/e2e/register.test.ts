import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { scrapeMetrics as scrape } from '../helpers/metrics.ts';
import { REPO_ROOT, freePort, spawnNode, spawnProcess, type Spawned } from '../helpers/process.ts';

const TEST_DIR = `${REPO_ROOT}test`;
const DIST_REGISTER = `${REPO_ROOT}packages/sdk/dist/register`;
const running: Spawned[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});


describe('@vigil/sdk/register', () => {
  it('--import starts Vigil from the environment with no code change', async () => {
    const port = await freePort();
    const app = spawnNode(['--import', '@vigil/sdk/register', 'fixtures/idle-app.mjs'], {
      cwd: TEST_DIR,
      env: { VIGIL_METRICS_PORT: String(port), VIGIL_METRICS_HOST: '127.0.0.1', OTEL_SERVICE_NAME: 'registered', VIGIL_METRIC_NAMES: 'prom-client' },
    });
    running.push(app);
    await app.waitForOutput(/app running/);
    const text = await scrape(port);
    expect(text).toMatch(/^nodejs_eventloop_lag_max_seconds /m);
    expect(text).toMatch(/target_info\{[^}]*service_name="registered"/);
  });

  it('logs a configuration error naming the variable, and the app keeps running', async () => {
    const app = spawnNode(['--import', '@vigil/sdk/register', 'fixtures/idle-app.mjs'], {
      cwd: TEST_DIR,
      env: { VIGIL_METRICS_PORT: 'http', VIGIL_METRICS_HOST: '127.0.0.1' },
    });
    running.push(app);
    await app.waitForOutput(/app running/);
    await app.waitForOutput(/VIGIL_METRICS_PORT: "http" is not valid; expected a TCP port number/);
    expect(app.child.exitCode).toBeNull();
  });

  it('--require works with the CommonJS build', async () => {
    expect(existsSync(`${DIST_REGISTER}.cjs`), 'run `pnpm build` first (pnpm test does)').toBe(true);
    const port = await freePort();
    const app = spawnProcess(process.execPath, ['--require', `${DIST_REGISTER}.cjs`, 'fixtures/idle-app.cjs'], {
      cwd: TEST_DIR,
      env: { VIGIL_METRICS_PORT: String(port), VIGIL_METRICS_HOST: '127.0.0.1' },
    });
    running.push(app);
    await app.waitForOutput(/app running/);
    expect(await scrape(port)).toMatch(/^nodejs_eventloop_delay_p99 /m);
  });

  const oldNode = findOldNode();
  it.runIf(oldNode !== undefined)(`on Node.js older than 22.15 (${oldNode ?? 'none found'}) it logs one error and the app runs`, async () => {
    const port = await freePort();
    const app = spawnProcess(oldNode!, ['--import', `${DIST_REGISTER}.js`, 'fixtures/idle-app.mjs'], {
      cwd: TEST_DIR,
      env: { VIGIL_METRICS_PORT: String(port), VIGIL_METRICS_HOST: '127.0.0.1' },
    });
    running.push(app);
    await app.waitForOutput(/app running on v(1\d|20|21|22\.(\d|1[0-4]))\./);
    await app.waitForOutput(/VIGIL_ERR_RUNTIME_UNSUPPORTED: Vigil needs Node\.js >= 22\.15/);
    expect(app.output().match(/VIGIL_ERR/g)).toHaveLength(1);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});

/** The machines' system Node is older than 22.15; the repo runs its own. Find an old one on PATH, if any. */
function findOldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 15)) return candidate;
  }
  return undefined;
}
