import { mkdtempSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { captureId } from '@vigil/core';
import { startDebugServer, type DebugServer } from '@vigil/debug-server';
import type { CaptureRecorder } from '@vigil/profiler';
import { openStore } from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'vigil-corrupt-'));
const store = openStore(`file://${dir}`);
let server: DebugServer;
const errors: unknown[] = [];

/** Stores a small "profile" and returns its id and the path of its data file. */
async function stored(data: Buffer): Promise<{ id: string; file: string }> {
  const id = captureId();
  const now = new Date().toISOString();
  await store.put(
    {
      id,
      type: 'cpu',
      service: 'test',
      host: 'h',
      pid: 1,
      startedAt: now,
      endedAt: now,
      reason: { kind: 'manual' },
      samples: 0,
      format: 'pprof',
    },
    data,
  );
  const find = (d: string): string | undefined => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        const found = find(path);
        if (found) return found;
      } else if (entry.name === `${id}.pb.gz`) return path;
    }
    return undefined;
  };
  return { id, file: find(dir)! };
}

beforeAll(async () => {
  // The captures routes read the store only: a recorder's store is all they need here.
  const captures = { store } as unknown as CaptureRecorder;
  server = await startDebugServer(
    { host: '127.0.0.1', port: 0 },
    {
      profiler: undefined,
      captures,
      diag: diag.createComponentLogger({ namespace: 'test' }),
      reportError: (error) => errors.push(error),
    },
  );
});
afterAll(() => server.close());

describe('a corrupt capture in the store', () => {
  it('a truncated profile is 410 with the reason, as data, filtered by trace and as a flame page; never a 200 or a 500', async () => {
    const { id, file } = await stored(Buffer.alloc(1_000, 7));
    truncateSync(file, 400);
    for (const path of [
      `/debug/vigil/captures/${id}`,
      `/debug/vigil/captures/${id}?trace_id=${'a'.repeat(32)}`,
      `/debug/vigil/captures/${id}/flame`,
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(410);
      expect(await response.text(), path).toMatch(/^capture .* is corrupt: its data is 400 bytes.*\n$/);
    }
    expect(errors).toEqual([]);
  });

  it('data of the right size that is not pprof is 410 where it must be decoded', async () => {
    const { id, file } = await stored(Buffer.alloc(64, 7));
    writeFileSync(file, Buffer.alloc(64, 9));
    const response = await fetch(`${server.url}/debug/vigil/captures/${id}?trace_id=${'a'.repeat(32)}`);
    expect(response.status).toBe(410);
    expect(await response.text()).toMatch(/is corrupt: its data is not a pprof profile/);
    expect((await fetch(`${server.url}/debug/vigil/captures`)).status).toBe(200);
    expect(errors).toEqual([]);
  });
});
