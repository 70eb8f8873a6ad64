import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scrapeMetrics as scrape } from '@vigil/test-helpers/metrics';
import { REPO_ROOT, freePort, spawnProcess, type Spawned } from '@vigil/test-helpers/process';

/**
 * Vigil as a user gets it: each public package packed with `pnpm pack` (which rewrites `workspace:*` to versions),
 * installed with `npm install` into a plain app in a temp dir outside the repo, and run there on this Node
 * (`process.execPath`: CI runs the suite on Node 24, then on Node 22).
 */
interface Workspace {
  name: string;
  dir: string;
  manifest: {
    name: string;
    private?: boolean;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
}

const PACKAGES: Workspace[] = readdirSync(join(REPO_ROOT, 'packages')).map((dir) => {
  const manifest = JSON.parse(
    readFileSync(join(REPO_ROOT, 'packages', dir, 'package.json'), 'utf8'),
  ) as Workspace['manifest'];
  return { name: manifest.name, dir: join(REPO_ROOT, 'packages', dir), manifest };
});
const PUBLIC = PACKAGES.filter((p) => p.manifest.private !== true);
const ROOT_DEV = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies;
const API_VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'packages/sdk/package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  }
).devDependencies['@opentelemetry/api']!;

// This Node first on PATH: npm, the bin's `#!/usr/bin/env node` and everything they start run on the Node under test.
// npm_* variables come from the pnpm that runs vitest; npm must read only its own configuration.
const ENV: Record<string, string | undefined> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
};

let work: string;
let app: string;
const tarballs = new Map<string, string>();
const running: Spawned[] = [];

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

/** pnpm as the test runner was started by it (`npm_execpath`), else the one on PATH (CI installs it). */
function pnpm(args: string[], cwd: string): string {
  const execpath = process.env.npm_execpath;
  return execpath !== undefined && /pnpm/.test(execpath) && !execpath.endsWith('npm-cli.js')
    ? run(process.execPath, [execpath, ...args], cwd)
    : run('pnpm', args, cwd);
}

function tarList(tarball: string): string[] {
  return run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean);
}

function tarRead(tarball: string, path: string): string {
  return run('tar', ['-xzOf', tarball, path], work);
}

beforeAll(() => {
  for (const p of PUBLIC)
    expect(existsSync(join(p.dir, 'dist')), `${p.name} has no dist/: run \`pnpm build\` first (pnpm test does)`).toBe(
      true,
    );
  work = mkdtempSync(join(tmpdir(), 'vigil-install-'));
  const packed = join(work, 'tarballs');
  pnpm(
    ['--recursive', ...PUBLIC.flatMap((p) => ['--filter', p.name]), 'pack', '--pack-destination', packed],
    REPO_ROOT,
  );
  for (const p of PUBLIC) {
    const file = join(
      packed,
      `${p.name.replace('@', '').replace('/', '-')}-${(JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) as { version: string }).version}.tgz`,
    );
    expect(existsSync(file), `pnpm pack wrote ${file}`).toBe(true);
    tarballs.set(p.name, file);
  }

  app = join(work, 'app');
  mkdirSync(app);
  const fromTarballs = Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'plain-app',
        version: '1.0.0',
        private: true,
        type: 'module',
        dependencies: {
          '@vigil/sdk': fromTarballs['@vigil/sdk'],
          '@vigil/cli': fromTarballs['@vigil/cli'],
          '@opentelemetry/api': API_VERSION,
        },
        devDependencies: { '@types/node': ROOT_DEV['@types/node'] },
        // Every @vigil/* name, direct or transitive, comes from these tarballs, never from the registry.
        overrides: fromTarballs,
      },
      null,
      2,
    ),
  );
  // A cache of this run's own, so that nothing from an earlier run (or the user's cache) stands in for the tarballs.
  run('npm', ['install', '--no-audit', '--no-fund', '--cache', join(work, 'npm-cache')], app);
}, 180_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

describe('installed from the packed tarballs, outside the repo', () => {
  it('each tarball has a README, the LICENSE, versions instead of workspace: ranges, and only built files', () => {
    const license = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/Apache License\s+Version 2\.0/);
    for (const [name, tarball] of tarballs) {
      const files = tarList(tarball);
      expect(files, name).toContain('package/README.md');
      expect(files, name).toContain('package/LICENSE');
      expect(
        files.filter((f) => f.startsWith('package/src/')),
        name,
      ).toEqual([]);
      expect(tarRead(tarball, 'package/LICENSE'), name).toBe(license);
      const manifest = tarRead(tarball, 'package/package.json');
      expect(manifest, name).not.toMatch(/workspace:/);
      expect((JSON.parse(manifest) as { license: string }).license, name).toBe('Apache-2.0');
    }
  });

  it('npm installed every @vigil package from the tarballs and none from the registry', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    const vigil = Object.entries(lock.packages).filter(([path]) => /node_modules\/@vigil\//.test(path));
    expect(vigil.map(([path]) => path.replace(/^.*node_modules\//, '')).sort()).toEqual([...tarballs.keys()].sort());
    for (const [path, entry] of vigil) expect(entry.resolved, path).toMatch(/^file:.*\.tgz$/);
  });

  it('node --import @vigil/sdk/register serves /metrics and profiles through the installed native addon', async () => {
    writeFileSync(
      join(app, 'app.mjs'),
      'console.log(`app running on ${process.version}`);\nsetInterval(() => {}, 1_000);\n',
    );
    const port = await freePort();
    const proc = spawnProcess(process.execPath, ['--import', '@vigil/sdk/register', 'app.mjs'], {
      cwd: app,
      env: {
        ...ENV,
        VIGIL_METRICS_PORT: String(port),
        VIGIL_METRICS_HOST: '127.0.0.1',
        OTEL_LOG_LEVEL: 'info',
        VIGIL_DEBUG_ADDR: '127.0.0.1:0',
      },
    });
    running.push(proc);
    await proc.waitForOutput(new RegExp(`app running on ${process.version}`));
    const text = await scrape(port);
    expect(text).toMatch(/^nodejs_eventloop_delay_p99 /m);
    expect(text).toMatch(/target_info\{[^}]*service_name="plain-app"/);
    const [, debugUrl] = await proc.waitForOutput(/debug endpoints at (http:\/\/127\.0\.0\.1:\d+)\/debug\/pprof\//);
    const heap = await fetch(`${debugUrl}/debug/pprof/heap`);
    expect(heap.status).toBe(200);
    const body = new Uint8Array(await heap.arrayBuffer());
    expect([...body.subarray(0, 2)]).toEqual([0x1f, 0x8b]); // gzip: a pprof profile from @datadog/pprof's addon
    expect(proc.output()).not.toMatch(/not started|VIGIL_ERR/);
  });

  it("require('@vigil/sdk') works from CommonJS", async () => {
    writeFileSync(
      join(app, 'app.cjs'),
      [
        "const { start, VigilError } = require('@vigil/sdk');",
        "if (typeof VigilError !== 'function') throw new Error('no VigilError');",
        "start({ metricsPort: Number(process.env.PORT), metricsHost: '127.0.0.1', debugAddr: 'off', profiling: false })",
        '  .then((vigil) => console.log(`cjs started at ${vigil.metricsUrl}`));',
        'setInterval(() => {}, 1_000);',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const proc = spawnProcess(process.execPath, ['app.cjs'], { cwd: app, env: { ...ENV, PORT: String(port) } });
    running.push(proc);
    await proc.waitForOutput(new RegExp(`cjs started at http://127\\.0\\.0\\.1:${port}/metrics`));
    expect(await scrape(port)).toMatch(/^v8js_heap_used /m);
  });

  it('tsc type-checks TypeScript that imports @vigil/sdk, from ESM and from CommonJS', () => {
    writeFileSync(
      join(app, 'index.ts'),
      [
        "import { start, VigilError, type VigilHandle, type VigilOptions } from '@vigil/sdk';",
        "const options: VigilOptions = { serviceName: 'typed', metricsPort: 0, metricNames: 'prom-client' };",
        'const vigil: VigilHandle = await start(options);',
        'const url: string | undefined = vigil.metricsUrl;',
        'console.log(url, VigilError);',
        '// @ts-expect-error: the types are real, not `any`: an unknown naming scheme is a type error',
        "await start({ metricNames: 'statsd' });",
        'await vigil.shutdown();',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'legacy.cts'),
      [
        "import sdk = require('@vigil/sdk');",
        "const handle: Promise<sdk.VigilHandle> = sdk.start({ debugAddr: 'off' });",
        'export = handle;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['index.ts', 'legacy.cts'],
      }),
    );
    // TypeScript from the repo's devDependencies; everything it resolves (@vigil/*, @types/node) is the app's.
    expect(
      run(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app),
    ).toBe('');
  });

  it('the vigil bin prints its help and runs a command', () => {
    const bin = join(app, 'node_modules/.bin/vigil');
    expect(run(bin, ['--help'], app)).toMatch(/^usage: vigil <command>/);
    expect(run(bin, ['rules', 'export', '--format', 'prometheus'], app)).toMatch(/alert: VigilEventLoopStall/);
  });
});
