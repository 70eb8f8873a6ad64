import { afterEach, expect, it } from 'vitest';
import { REPO_ROOT, spawnNode, type Spawned } from '../helpers/process.ts';

let demo: Spawned | undefined;
afterEach(async () => {
  await demo?.stop();
});

it('the quick-start demo serves load, profiles it, and prints what to open', async () => {
  demo = spawnNode(['examples/leftpad/demo.ts', '--once'], { cwd: REPO_ROOT, env: { DEMO_SECONDS: '5' } });
  expect(await demo.exited()).toBe(0);
  const output = demo.output();
  expect(output).toMatch(/\d+ requests served \(\d+\/s, 0 errors\)/);
  expect(output).toMatch(/event-loop delay p99 \/ max\s+[\d.]+ ms \/ [\d.]+ ms/);
  // The padding is among the top functions (the synchronous log writes can outrank it on a busy machine).
  const top = /CPU profile of the last 5 s[^\n]*\n((?:\s+\d+ ms {2}.+\n)+)/.exec(output)?.[1] ?? '';
  expect(top, output).toMatch(/^\s+\d+ ms {2}leftPad$/m);
  expect(output).toMatch(/metrics \(Prometheus format\)\s+http:\/\/127\.0\.0\.1:\d+\/metrics/);
  expect(output).toMatch(/profiles \(go tool pprof\)\s+http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\//);
});
