import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const workDir = mkdtempSync(join(tmpdir(), 'vigil-pprof-'));

export interface PprofRow {
  flat: string;
  cum: string;
  name: string;
}

/**
 * Runs the real `go tool pprof -top` (Debian golang-go) on profile bytes and parses its rows, in its order.
 * `extra` adds flags such as `-sample_index=cpu` or `-cum`.
 */
export function goPprofTop(bytes: Uint8Array, extra: string[] = []): { rows: PprofRow[]; output: string } {
  const file = join(workDir, `profile-${process.hrtime.bigint()}.pb.gz`);
  writeFileSync(file, bytes);
  const output = execFileSync('go', ['tool', 'pprof', '-top', ...extra, file], {
    encoding: 'utf8',
    env: { ...process.env, PPROF_TMPDIR: workDir, HOME: process.env.HOME ?? workDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const rows: PprofRow[] = [];
  let inTable = false;
  for (const line of output.split('\n')) {
    if (/^\s*flat\s+flat%\s+sum%\s+cum\s+cum%/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable || line.trim() === '') continue;
    const m = /^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s+(.*)$/.exec(line);
    if (m) rows.push({ flat: m[1]!, cum: m[2]!, name: m[3]!.trim() });
  }
  return { rows, output };
}
