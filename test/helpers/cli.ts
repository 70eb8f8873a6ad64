import { REPO_ROOT, spawnNode } from './process.ts';

/** The `vigil` command, run as a user would (from source), to its exit: its status and its output. */
export async function runVigil(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number | null; output: string }> {
  const cli = spawnNode([`${REPO_ROOT}packages/cli/src/cli.ts`, ...args], options);
  const code = await cli.exited();
  return { code, output: cli.output() };
}
