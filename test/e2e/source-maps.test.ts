import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';
import { REPO_ROOT, freePort, spawnProcess, type Spawned } from '@vigil/test-helpers/process';

let app: Spawned | undefined;
afterAll(async () => {
  await app?.stop();
});

it("a compiled TypeScript app's CPU profile shows its .ts file and lines (VIGIL_SOURCE_MAPS)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sourcemaps-'));
  cpSync(`${REPO_ROOT}test/fixtures/sourcemap-app`, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  execFileSync(process.execPath, [
    `${REPO_ROOT}node_modules/typescript/bin/tsc`,
    '-p',
    dir,
    '--outDir',
    join(dir, 'dist'),
  ]);

  const debugPort = await freePort();
  app = spawnProcess(
    process.execPath,
    ['--import', `${REPO_ROOT}packages/sdk/dist/register.js`, join(dir, 'dist', 'app.js')],
    {
      cwd: dir,
      env: {
        VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
        VIGIL_METRICS_HOST: '127.0.0.1',
        VIGIL_METRICS_PORT: '0',
        VIGIL_SOURCE_MAPS: join(dir, 'dist'),
      },
    },
  );
  await app.waitForOutput(/sourcemap app running/);
  const url = `http://127.0.0.1:${debugPort}/debug/pprof/profile?seconds=2`;
  const bytes = await waitFor(async () => {
    const response = await fetch(url);
    return response.ok ? Buffer.from(await response.arrayBuffer()) : undefined;
  }, 'a CPU profile');
  const { rows, output } = goPprofTop(bytes, ['-sample_index=cpu', '-lines']);
  // V8 may inline the hot loop into the timer callback (line 14); either way the frame must be the .ts source line.
  // The .ts file name is the proof (the emitted file is app.js); the line falls in the function's .ts body.
  expect(rows[0]?.name, output).toMatch(/(^typeScriptHotLoop .*app\.ts:([6-9]|1[0-2])|app\.ts:14)$/);
  expect(output).not.toMatch(/app\.js/);
});
