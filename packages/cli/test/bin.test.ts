import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[]): string {
  return execFileSync(process.execPath, ['--conditions=source', script, ...args], { encoding: 'utf8' });
}

describe('the vigil bin', () => {
  it('runs when started by its own path', () => {
    expect(run(CLI, ['--help'])).toMatch(/^usage: vigil <command>/);
  });

  it('runs when started through a symlink named after the command, as an installed bin is', () => {
    const bin = join(dir, 'vigil');
    symlinkSync(CLI, bin);
    expect(run(bin, ['--help'])).toMatch(/^usage: vigil <command>/);
  });
});
