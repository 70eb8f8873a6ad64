import { afterEach, expect, it } from 'vitest';
import { REPO_ROOT, spawnNode, type Spawned } from '@vigil/test-helpers/process';

let demo: Spawned | undefined;
afterEach(async () => {
  await demo?.stop();
});

it('the quick-start demo serves load, profiles it, captures a stall by itself, and prints what to open', async () => {
  demo = spawnNode(['examples/leftpad/demo.ts', '--once'], { cwd: REPO_ROOT, env: { DEMO_SECONDS: '5' } });
  expect(await demo.exited()).toBe(0);
  const output = demo.output();
  expect(output).toMatch(/\d+ requests served \(\d+\/s, 0 errors\)/);
  expect(output).toMatch(/event-loop delay p99 \/ max\s+[\d.]+ ms \/ [\d.]+ ms/);
  // The padding is among the top functions (the synchronous log writes can outrank it on a busy machine).
  const top = /CPU profile of the last 5 s[^\n]*\n((?:\s+\d+ ms {2}.+\n)+)/.exec(output)?.[1] ?? '';
  expect(top, output).toMatch(/^\s+\d+ ms {2}leftPad$/m);
  // The stall the demo provokes is captured by its rule, from before the stall, with the stalling function on top.
  expect(output).toMatch(
    /Triggered capture \d{8}T\d{9}Z-[0-9a-f]{6} \(rule demo-stall: event-loop delay \d+ ms > 300 ms\),\ncovering [^\n]*\n\s+\d+ ms {2}blockEventLoop\n/,
  );
  // ...and it says what changed against the normal before it: the blocking function first.
  expect(output).toMatch(
    /\nWhat changed against the \d+ s before \(self share of CPU time\):\n\s+\+[\d.]+ pts {2}blockEventLoop \(/,
  );
  expect(output).toMatch(
    /the triggered capture\s+http:\/\/127\.0\.0\.1:\d+\/debug\/vigil\/captures\/\d{8}T\d{9}Z-[0-9a-f]{6}\/flame/,
  );
  expect(output).toMatch(/metrics \(Prometheus format\)\s+http:\/\/127\.0\.0\.1:\d+\/metrics/);
  expect(output).toMatch(/profiles \(go tool pprof\)\s+http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\//);
});
