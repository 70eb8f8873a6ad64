// What was measured: the machine, the commit, and a build of Vigil that matches its sources.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { CLK_TCK } from './proc.ts';
import { BENCH_DIR } from './variants.ts';

export { vigilVersion } from './commit.ts';

const ROOT = join(BENCH_DIR, '..');

/**
 * The Vigil variants load @vigil/* from dist/ (what an installed package runs). Loading the TypeScript sources instead
 * costs ~16 MiB of RSS in type stripping that no user pays (measure it with the vigil-source variant). Builds dist/
 * through turbo (cached) when it is missing or older than a source file.
 */
export function ensureVigilBuilt(): void {
  const packagesDir = join(ROOT, 'packages');
  const newest = (dir: string, pick: (name: string) => boolean): number[] => {
    try {
      return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && pick(entry.name))
        .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs);
    } catch {
      return [];
    }
  };
  let stale = false;
  for (const pkg of readdirSync(packagesDir)) {
    const sources = newest(join(packagesDir, pkg, 'src'), (name) => name.endsWith('.ts'));
    if (sources.length === 0) continue;
    const built = newest(join(packagesDir, pkg, 'dist'), (name) => name.endsWith('.js'));
    if (built.length === 0 || Math.min(...built) < Math.max(...sources)) stale = true;
  }
  if (!stale) return;
  console.log(
    'building @vigil/sdk and its workspace dependencies (dist/ is missing or older than src/): turbo run build',
  );
  const build = spawnSync(
    join(ROOT, 'node_modules/.bin/turbo'),
    ['run', 'build', '--filter=@vigil/sdk...', '--output-logs=errors-only'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    },
  );
  if (build.status !== 0) {
    console.error(
      'the build failed: fix it, or bench Vigil from its sources with --variants baseline,vigil-source,...',
    );
    process.exit(1);
  }
}

export function machine() {
  const wrkVersion = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    kernel: release(),
    node: process.version,
    wrk: `${wrkVersion.stdout}${wrkVersion.stderr}`.split('\n')[0]?.trim() ?? 'unknown',
    clockTicksPerSecond: CLK_TCK,
  };
}
