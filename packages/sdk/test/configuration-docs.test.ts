import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '@vigil/core';
import { NON_CONFIG_KEYS, configSpec } from '../src/config.ts';

/**
 * docs/configuration.md is the user's list of settings: it must name every option and environment variable the
 * configuration reads, name nothing it does not, and state each duration's minimum. A setting added to the spec
 * without its row (or a row left behind by a removed one) fails here.
 */
const PAGE = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
const spec = configSpec(process.cwd());

interface Row {
  options: string[];
  envs: string[];
  text: string;
}

/** The settings table: rows of `| option | environment | default | meaning |`, backticked names in the first two cells. */
function rows(): Row[] {
  const lines = PAGE.split('\n');
  const header = lines.findIndex((l) => /^\| option \| environment \| default \| meaning \|$/.test(l));
  expect(header, 'the settings table of docs/configuration.md').toBeGreaterThanOrEqual(0);
  const result: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [options = '', envs = ''] = line.split('|').slice(1);
    const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    result.push({ options: names(options), envs: names(envs), text: line });
  }
  return result;
}

describe('docs/configuration.md', () => {
  it('lists every option of start(), and no other', () => {
    const documented = rows()
      .flatMap((r) => r.options)
      .sort();
    expect(documented).toEqual([...Object.keys(spec), ...NON_CONFIG_KEYS].sort());
  });

  it('lists every environment variable the configuration reads, and no other', () => {
    const documented = rows()
      .flatMap((r) => r.envs)
      .sort();
    const read = Object.values(spec).flatMap((field) => (field.env === undefined ? [] : [field.env]));
    expect(documented).toEqual(read.sort());
  });

  it("puts each variable in its option's row", () => {
    for (const [key, field] of Object.entries(spec)) {
      if (field.env === undefined) continue;
      const row = rows().find((r) => r.options.includes(key));
      expect(row?.envs, key).toContain(field.env);
    }
  });

  it("states each duration's minimum", () => {
    for (const [key, field] of Object.entries(spec)) {
      // A duration with a minimum rejects 1 ms naming it ("a duration of at least 60000ms").
      let message = '';
      try {
        field.parse('1ms', key);
      } catch (error) {
        message = (error as Error).message;
      }
      const min = /a duration of at least (\d+)ms/.exec(message)?.[1];
      if (min === undefined) continue;
      const row = rows().find((r) => r.options.includes(key))!;
      expect(row.text, `${key}: at least ${formatDuration(Number(min))}`).toContain(
        `at least \`${formatDuration(Number(min))}\``,
      );
    }
  });
});
