import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureMetadata } from '@vigil/store';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { runVigil } from '@vigil/test-helpers/cli';
import { startLeftpad, type Leftpad } from '@vigil/test-helpers/leftpad';
import { waitFor } from '@vigil/test-helpers/metrics';
import { goPprofTop } from '@vigil/test-helpers/pprof';

/**
 * VIGIL_CONTINUOUS on a real service: every period's CPU profile (with span labels) and heap profile land in the
 * store, consecutive, and the fleet commands read them.
 */
const hasFrame = Number(process.versions.node.split('.')[0]) >= 24;
let leftpad: Leftpad;
let storeDir: string;

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'vigil-continuous-e2e-'));
  leftpad = await startLeftpad({
    VIGIL_CONTINUOUS: '1s',
    VIGIL_STORE: `file://${storeDir}`,
    VIGIL_SPAN_LABELS: hasFrame ? 'auto' : 'async-hooks',
    OTEL_SERVICE_NAME: 'api',
  });
});

afterAll(async () => {
  await leftpad?.app.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

const list = async (query: string): Promise<CaptureMetadata[]> =>
  (
    (await (await fetch(`${leftpad.debugUrl}/debug/vigil/captures?reason=continuous&limit=1000&${query}`)).json()) as {
      captures: CaptureMetadata[];
    }
  ).captures;

describe('continuous profiles (VIGIL_CONTINUOUS=1s)', () => {
  it("a traced request's samples are in the period's CPU profile, labelled with its trace", async () => {
    const traceId = randomBytes(16).toString('hex');
    const load = driveLoad(leftpad.appUrl, ['/pad?len=2000'], { durationMillis: 2_500, concurrency: 4 });
    const checkout = await fetch(`${leftpad.appUrl}/checkout?items=200`, {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(checkout.status).toBe(200);
    await load;
    const [capture] = await waitFor(
      async () => {
        const found = await list(`trace_id=${traceId}`);
        return found.length > 0 ? found : undefined;
      },
      'a continuous capture holding the trace',
      15_000,
    );
    expect(capture!.type).toBe('cpu');
    const filtered = Buffer.from(
      await (await fetch(`${leftpad.debugUrl}/debug/vigil/captures/${capture!.id}?trace_id=${traceId}`)).arrayBuffer(),
    );
    const { rows, output } = goPprofTop(filtered, ['-sample_index=cpu']);
    expect(
      rows.map((r) => r.name),
      output,
    ).toContain('priceItems');
    expect(
      rows.map((r) => r.name),
      output,
    ).not.toContain('leftPad');
  });

  it('periods are consecutive, with one heap profile each', async () => {
    const cpu = await waitFor(
      async () => {
        const found = await list('type=cpu');
        return found.length >= 4 ? found.reverse() : undefined; // oldest first
      },
      'four CPU periods',
      15_000,
    );
    for (let i = 1; i < cpu.length; i++) expect(cpu[i]!.startedAt).toBe(cpu[i - 1]!.endedAt);
    const heap = await list('type=heap');
    expect(heap.length).toBeGreaterThanOrEqual(cpu.length - 1); // the heap of the latest period may still be uploading
    expect(heap.length).toBeLessThanOrEqual(cpu.length + 1);
  });

  it('the index page shows the newest few continuous profiles and where to find them all', async () => {
    const html = await (await fetch(`${leftpad.debugUrl}/debug/pprof/`)).text();
    expect(html).toContain('continuous profile: one period, uploaded by VIGIL_CONTINUOUS');
    expect(html).toContain('href="/debug/vigil/captures?reason=continuous"');
    expect(html.match(/continuous profile: one period/g)!.length).toBe(6);
  });

  it('vigil captures --reason and vigil top --since read them from the store', async () => {
    const store = `file://${storeDir}`;
    const captures = await runVigil([
      'captures',
      '--store',
      store,
      '--service',
      'api',
      '--reason',
      'continuous',
      '--type',
      'heap',
    ]);
    expect(captures.code, captures.output).toBe(0);
    expect(captures.output).toMatch(/^\S+\s+heap\s+api\s+\S+\s+[\d-]+ [\d:]+\s+0s\s+continuous\s/m);
    const top = await runVigil([
      'top',
      '--store',
      store,
      '--service',
      'api',
      '--since',
      '10m',
      '--sample-index',
      'cpu',
    ]);
    expect(top.code, top.output).toBe(0);
    expect(top.output).toMatch(/^\d+ cpu captures merged from 1 instance of api, /m);
    expect(top.output).toMatch(/ leftPad/);
    const bad = await runVigil(['captures', '--store', store, '--reason', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/--reason must be one of rule, alert, manual, http, oom, continuous/);
  });
});
