import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveLoad } from '../../examples/leftpad/src/load.ts';
import { waitFor } from '@vigil/test-helpers/metrics';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from '@vigil/test-helpers/process';
import { S3rver } from '@vigil/test-helpers/s3rver';

// Node 22 has no async-context frame: its default is no span labels, so the trace lookup needs the async-hooks mode.
const LABELS = Number(process.versions.node.split('.')[0]) >= 24 ? 'auto' : 'async-hooks';

/**
 * A fleet sharing one bucket: two instances of `api` and one of `worker`, each with VIGIL_STORE=s3://…, against a real
 * S3-protocol server. The CLI answers the fleet questions from the bucket alone: which captures, of which service, in
 * which range; what the service was doing (merged over its instances); which instance served a trace.
 */
let s3: S3rver;
let store: string;
const instances: { app: Spawned; appUrl: string; debugUrl: string; service: string }[] = [];

beforeAll(async () => {
  s3 = await S3rver.launch('fleet');
  store = `s3://${s3.bucket}/prod/`;
  for (const service of ['api', 'api', 'worker']) {
    const [appPort, debugPort] = [await freePort(), await freePort()];
    const app = spawnNode(['--import', '@vigil/sdk/register', 'src/server.ts'], {
      cwd: `${REPO_ROOT}examples/leftpad`,
      env: {
        ...s3.env,
        PORT: String(appPort),
        OTEL_SERVICE_NAME: service,
        VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
        VIGIL_METRICS_PORT: '0',
        VIGIL_METRICS_HOST: '127.0.0.1',
        VIGIL_STORE: store,
        VIGIL_SPAN_LABELS: LABELS,
      },
    });
    instances.push({ app, appUrl: `http://127.0.0.1:${appPort}`, debugUrl: `http://127.0.0.1:${debugPort}`, service });
  }
  for (const i of instances) {
    await i.app.waitForOutput(/leftpad listening/);
    await waitFor(async () => (await fetch(`${i.debugUrl}/debug/pprof/`)).ok, 'the debug server');
  }
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.app.stop()));
  await s3?.stop();
});

async function vigil(...args: string[]): Promise<{ code: number | null; output: string }> {
  const cli = spawnNode([`${REPO_ROOT}packages/cli/src/cli.ts`, ...args], { env: s3.env });
  const code = await cli.exited();
  return { code, output: cli.output() };
}

describe('a fleet of instances writing one S3 bucket', () => {
  const traceId = randomBytes(16).toString('hex');
  const ids: string[] = [];

  it('every instance stores its captures in the bucket', async () => {
    for (const [n, i] of instances.entries()) {
      const posted = await fetch(`${i.debugUrl}/debug/vigil/captures`, {
        method: 'POST',
        body: JSON.stringify({ type: 'cpu', seconds: 2 }),
      });
      expect(posted.status).toBe(202);
      ids.push(((await posted.json()) as { id: string }).id);
      const load = driveLoad(i.appUrl, ['/pad?len=2000'], { durationMillis: 1_800, concurrency: 4 });
      if (n === 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const checkout = await fetch(`${i.appUrl}/checkout?items=200`, {
          headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
        });
        expect(checkout.status).toBe(200);
      }
      await load;
    }
    await waitFor(
      async () => {
        const { output } = await vigil('captures', '--store', store, '--json');
        return (JSON.parse(output) as unknown[]).length === 3;
      },
      'three captures in the bucket',
      30_000,
    );
  });

  it('vigil captures filters the fleet by service and time', async () => {
    const { code, output } = await vigil('captures', '--store', store, '--service', 'api', '--since', '1h', '--json');
    expect(code, output).toBe(0);
    const list = JSON.parse(output) as { id: string; service: string; pid: number }[];
    expect(list.map((c) => c.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(new Set(list.map((c) => c.pid)).size).toBe(2);
    expect(
      JSON.parse(
        (await vigil('captures', '--store', store, '--service', 'api', '--until', '2020-01-01T00:00:00Z', '--json'))
          .output,
      ),
    ).toEqual([]);
    const table = await vigil('captures', '--store', store, '--service', 'worker');
    expect(table.output).toMatch(new RegExp(`^${ids[2]}\\s+cpu\\s+worker\\s`, 'm'));
  });

  it('vigil top merges the service profiles of every instance in the range', async () => {
    const { code, output } = await vigil(
      'top',
      '--store',
      store,
      '--service',
      'api',
      '--since',
      '10m',
      '--sample-index',
      'cpu',
    );
    expect(code, output).toBe(0);
    expect(output).toMatch(/^2 cpu captures merged from 2 instances of api, /);
    expect(output).toContain('leftPad');
  });

  it('a trace id finds the instance that served it, across the fleet', async () => {
    const { code, output } = await vigil('captures', '--store', store, '--trace', traceId, '--json');
    expect(code, output).toBe(0);
    expect((JSON.parse(output) as { id: string }[]).map((c) => c.id)).toEqual([ids[1]]);
    const top = await vigil('top', ids[1]!, '--store', store, '--trace', traceId, '--sample-index', 'cpu');
    expect(top.output).toContain('priceItems');
    expect(top.output).not.toContain('leftPad');
    expect((await vigil('doctor', '--store', store)).output).toMatch(/3 captures.*\nno problems found/);
  });
});
