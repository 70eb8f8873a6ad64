import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureId } from '@vigil/core';
import { FileStore } from '@vigil/store';
import { main } from '../src/cli.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  process.exitCode = 0;
});

describe('vigil doctor --store', () => {
  it('lists corrupt metadata, cut-short profiles and foreign files, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
    dirs.push(dir);
    const store = new FileStore(dir, {}, { maintenance: false });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const at = new Date(Date.now() - 3_000 + i);
      const iso = at.toISOString();
      const m = await store.put(
        {
          id: captureId(at),
          type: 'cpu',
          service: 's',
          host: 'h',
          pid: 1,
          startedAt: iso,
          endedAt: iso,
          reason: { kind: 'manual' },
          samples: 1,
          format: 'pprof',
        },
        randomBytes(500),
      );
      ids.push(m.id);
    }
    const day = join(dir, 'captures', ids[0]!.slice(0, 4), ids[0]!.slice(4, 6), ids[0]!.slice(6, 8));
    writeFileSync(join(day, `${ids[0]}.json`), 'null');
    truncateSync(join(day, `${ids[1]}.pb.gz`), 10);
    writeFileSync(join(day, 'README'), 'not ours');

    const output = await main(['doctor', '--store', `file://${dir}`]);
    expect(output).toMatch(/: 1 captures, 500 bytes/);
    expect(output).toMatch(new RegExp(`corrupt-metadata +captures/.*${ids[0]}\\.json: not a JSON object`));
    expect(output).toMatch(
      new RegExp(`truncated-data +captures/.*${ids[1]}\\.pb\\.gz: 10 bytes, the metadata says 500`),
    );
    expect(output).toMatch(/foreign +captures\/.*README/);
    expect(process.exitCode).toBe(1);

    const json = JSON.parse(await main(['doctor', '--store', `file://${dir}`, '--json'])) as { problems: unknown[] };
    expect(json.problems).toHaveLength(3);
  });

  it('says so when the store is healthy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-doctor-'));
    dirs.push(dir);
    expect(await main(['doctor', '--store', dir])).toMatch(/0 captures.*\nno problems found\n$/);
    expect(process.exitCode ?? 0).toBe(0);
  });
});
