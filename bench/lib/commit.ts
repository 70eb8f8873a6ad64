// The commit a figure was measured at. Apart from provenance.ts so that a bench with options of its own can use it
// (options.ts parses the runner's command line on import).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The commit the figures were measured at, and whether anything in the tree differed from it (the runner and its
 * variants included: a result is only reproducible from a clean clone of that commit when this is false). The results
 * directory itself is left out: the run writes its own output there.
 */
export function vigilVersion(): { commit: string; localChanges: boolean; changed: string[] } {
  const git = (...argv: string[]) => spawnSync('git', argv, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const changed = git('status', '--porcelain', '--', '.', ':(exclude)bench/results')
    .split('\n')
    .filter((line) => line !== '');
  return { commit: git('rev-parse', 'HEAD') || 'unknown', localChanges: changed.length > 0, changed };
}
