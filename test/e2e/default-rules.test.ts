import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@vigil/store';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';
import { REPO_ROOT, spawnNode, type Spawned } from '@vigil/test-helpers/process';

/**
 * The shipped rules alone (no rules of the test's own) against a process that grows one resource from its start:
 * a leak is captured within 60 s of the growth starting, with the growing function on top; the same growth that stops
 * after 30 s (a cache or a pool warming up) is not captured at all.
 */
const apps: Spawned[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
});

async function run(growth: string) {
  const dir = mkdtempSync(join(tmpdir(), `vigil-defaults-${growth}-`));
  const app = spawnNode(['--import', '@vigil/sdk/register', 'fixtures/growth-app.mjs'], {
    cwd: `${REPO_ROOT}test`,
    env: {
      GROWTH: growth,
      VIGIL_DEFAULT_RULES: 'on',
      VIGIL_TRACK_HANDLES: 'on',
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: '0',
      VIGIL_STORE: `file://${join(dir, 'store')}`,
    },
  });
  apps.push(app);
  const [, since] = await app.waitForOutput(/growing since (\d+)/);
  const store = openStore(`file://${join(dir, 'store')}`);
  return { app, store, growingSince: Number(since) };
}

/** The first capture of `rule`, which must come within 60 s of the growth starting. */
async function capturedWithin60s(growth: string, rule: string) {
  const { store, growingSince } = await run(growth);
  const capture = await waitFor(async () => (await store.list({ rule }))[0], `the ${rule} capture`, 75_000);
  const after = Date.parse(capture.startedAt) - growingSince;
  console.log(`${rule} captured ${after} ms after the growth started; value ${capture.reason.value}/s`);
  expect(after).toBeLessThanOrEqual(60_000);
  return { capture, data: (await store.get(capture.id))!.data };
}

/** Past the point where a 20 s slope of a 30 s fill could still hold for the rules' 40 s (30 + 20 + margin): none. */
async function neverCaptured(growth: string, rule: string) {
  const { app, store, growingSince } = await run(growth);
  await waitFor(() => Date.now() - growingSince > 75_000, 'the fill and its aftermath', 80_000);
  expect(await store.list({ rule })).toEqual([]);
  expect(app.child.exitCode).toBeNull();
}

describe.concurrent('default rules', () => {
  it('a heap growing 5 MiB/s is captured within 60 s of the growth starting, the appending function in the top 3', async () => {
    const { capture, data } = await capturedWithin60s('heap-leak', 'heap-growing');
    expect(capture.type).toBe('heap');
    const { rows, output } = goPprofTop(data, ['-sample_index=inuse_space']);
    expect(
      rows.slice(0, 3).map((r) => r.name),
      output,
    ).toContain('appendToLedger');
  }, 90_000);

  it(
    'a cache filling to 50 MB in its first 30 s, then flat, is not captured',
    () => neverCaptured('heap-fill', 'heap-growing'),
    90_000,
  );

  it('a handle leak of 20 handles/s is captured within 60 s, naming where the handles are created', async () => {
    const { data } = await capturedWithin60s('handles-leak', 'handles-growing');
    const { rows, output } = goPprofTop(data);
    expect(rows[0]?.name, output).toBe('startHeartbeat');
  }, 90_000);

  it(
    '600 handles opened over the first 30 s, then no more, are not captured',
    () => neverCaptured('handles-fill', 'handles-growing'),
    90_000,
  );
});
