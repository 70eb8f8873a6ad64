import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@vigil/test-helpers/process';

/**
 * What docs/triggers.md tells users to run: the shipped default rules exported with `vigil rules export`, in either
 * naming mode, are valid Prometheus alerting rules by the real `promtool check rules`.
 */
const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-export-'));

describe('vigil rules export --format prometheus, with the default rules', () => {
  it.each(['otel', 'prom-client'])('--names %s passes promtool check rules', (names) => {
    const exported = execFileSync(
      process.execPath,
      [
        '--conditions=source',
        `${REPO_ROOT}packages/cli/src/cli.ts`,
        'rules',
        'export',
        '--format',
        'prometheus',
        '--names',
        names,
      ],
      { encoding: 'utf8', env: { ...process.env, VIGIL_RULES: undefined } },
    );
    for (const rule of ['event-loop-stall', 'heap-near-limit', 'heap-growing', 'handles-growing'])
      expect(exported).toContain(`vigil_rule: ${rule}`);
    const file = join(dir, `vigil-alerts-${names}.yml`);
    writeFileSync(file, exported);
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS: 4 rules found/);
  });
});
