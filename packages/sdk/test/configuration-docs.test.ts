import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '@vigil/core';
import { NON_CONFIG_KEYS, configSpec } from '../src/config.ts';
import { pageWithTable } from '../scripts/configuration-table.ts';

/**
 * docs/configuration.md is the user's list of settings. Its table is generated from the one declaration of each
 * option (configSpec and VigilOptions, with their doc comments): an option added, changed or removed without
 * `pnpm docs:config` fails here, and so does a duration whose doc line does not state its minimum.
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
  it('holds the table generated from the spec and VigilOptions (pnpm docs:config rewrites it)', () => {
    expect(PAGE).toBe(pageWithTable(PAGE));
  });

  it('has one row per option of start(), each with its environment variable', () => {
    expect(
      rows()
        .map((r) => r.options[0])
        .sort(),
    ).toEqual([...Object.keys(spec), ...NON_CONFIG_KEYS].sort());
    for (const [key, field] of Object.entries(spec)) {
      expect(rows().find((r) => r.options.includes(key))?.envs, key).toEqual(
        field.env === undefined ? [] : [field.env],
      );
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
