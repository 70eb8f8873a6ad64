import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError } from '@vigil/core';
import { CapturesCapability, profiler } from '@vigil/profiler';
import { FileStore } from '@vigil/store';
import { startPlugins } from '@vigil/test-helpers/metrics';

const dir = mkdtempSync(join(tmpdir(), 'vigil-recorder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CaptureRecorder: simultaneous CPU captures', () => {
  it.each([true, false])(
    'with continuous=%s, exactly one starts; the others are refused naming it and hand out no id',
    async (continuous) => {
      const running = await startPlugins([
        profiler({
          continuous,
          windowMillis: 200,
          store: new FileStore(join(dir, String(continuous))),
          serviceName: 'recorder-test',
        }),
      ]);
      try {
        const recorder = running.host.use(CapturesCapability)!;
        const started: string[] = [];
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () =>
            recorder.captureCpu({ durationMillis: 300, reason: { kind: 'manual' }, onStart: (id) => started.push(id) }),
          ),
        );
        expect(started).toHaveLength(1);
        const stored = results.filter((r) => r.status === 'fulfilled').map((r) => r.value.metadata.id);
        expect(stored).toEqual(started);
        const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
        expect(refused).toHaveLength(9);
        for (const error of refused) {
          expect(error).toBeInstanceOf(VigilError);
          expect((error as VigilError).code).toBe(ErrorCodes.PROFILER_BUSY);
          expect((error as VigilError).value).toBe(started[0]);
        }
        expect((await recorder.store.list({})).map((c) => c.id)).toEqual(started);
      } finally {
        await running.stop();
      }
    },
  );
});
