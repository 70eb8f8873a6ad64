import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { time } from '@datadog/pprof';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError } from '@vigil/core';
import { decodeProfile, topTable } from '@vigil/pprof';
import { ProfilerCapability, profiler, type ProfilerOptions, type ProfilerService } from '@vigil/profiler';
import { blockFor, startPlugins, waitFor } from '@vigil/test-helpers/metrics';

let running: Awaited<ReturnType<typeof startPlugins>> | undefined;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) fn();
  await running?.stop();
  running = undefined;
});

async function start(options: ProfilerOptions = {}): Promise<ProfilerService> {
  running = await startPlugins([profiler({ windowMillis: 500, ...options })]);
  const service = running.host.use(ProfilerCapability);
  expect(service, 'the profiler started').toBeDefined();
  return service!;
}

/** Keeps the loop busy in small slices until the promise settles, so that timers still fire. */
async function busyWhile<T>(work: () => void, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    work();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

function spinAlpha(): void {
  blockFor(20);
}
function spinBeta(): void {
  blockFor(20);
}

const names = (service: ProfilerService, profile: Parameters<ProfilerService['encode']>[0]) => {
  void service;
  return topTable(profile)
    .rows.filter((r) => r.flat > 0 || r.cum > 0)
    .map((r) => r.name);
};

describe('CPU captures', () => {
  it('cut from the continuous stream: the busy function is there, with CPU time', async () => {
    const service = await start();
    const capture = await busyWhile(spinAlpha, service.captureCpu({ durationMillis: 1_200 }));
    const table = topTable(capture.profile, 'cpu');
    expect(table.unit).toBe('nanoseconds');
    expect(table.rows.find((r) => r.name === 'spinAlpha')?.cum ?? 0).toBeGreaterThan(table.total * 0.3);
    expect(capture.endMillis - capture.startMillis).toBeGreaterThanOrEqual(1_100);
  });

  it('lookback includes what ran before the capture was asked for; without it, it does not', async () => {
    const service = await start();
    const warmup = new Promise((resolve) => setTimeout(resolve, 1_300)); // two windows of alpha in the ring
    await busyWhile(spinAlpha, warmup);
    const withLookback = await busyWhile(spinBeta, service.captureCpu({ durationMillis: 800, lookbackMillis: 2_000 }));
    expect(names(service, withLookback.profile)).toEqual(expect.arrayContaining(['spinAlpha', 'spinBeta']));
    expect(withLookback.startMillis).toBeLessThan(Date.now() - 1_500);

    await busyWhile(spinAlpha, new Promise((resolve) => setTimeout(resolve, 700)));
    const without = await busyWhile(spinBeta, service.captureCpu({ durationMillis: 800 }));
    expect(names(service, without.profile)).toContain('spinBeta');
    expect(names(service, without.profile)).not.toContain('spinAlpha');
  });

  it('one capture at a time: a second is refused naming the first', async () => {
    const service = await start();
    const first = service.captureCpu({ durationMillis: 600, id: 'first-capture' });
    const error = await service.captureCpu({ durationMillis: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe(ErrorCodes.PROFILER_BUSY);
    expect((error as VigilError).message).toMatch(/already in progress \(first-capture, started/);
    await first;
    expect(service.cpuBusy()).toBeUndefined();
  });

  it('a canceled capture leaves the profiler healthy for the next', async () => {
    const service = await start();
    const abort = new AbortController();
    const pending = service.captureCpu({ durationMillis: 5_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: ErrorCodes.PROFILER_CANCELED });
    const next = await busyWhile(spinBeta, service.captureCpu({ durationMillis: 600 }));
    expect(names(service, next.profile)).toContain('spinBeta');
  });

  it('with continuous profiling off, a capture starts and stops the profiler itself', async () => {
    const service = await start({ continuous: false });
    expect(service.recorder().windows).toBe(0);
    expect(time.isStarted(), 'no profiler runs before a capture').toBe(false);
    const pending = service.captureCpu({ durationMillis: 600 });
    // The addon loads on the first capture when profiling is off: the profiler starts a moment after the call.
    await waitFor(() => time.isStarted(), 'the capture to start the profiler');
    const capture = await busyWhile(spinAlpha, pending);
    expect(time.isStarted(), 'the capture stopped the profiler').toBe(false);
    expect(names(service, capture.profile)).toContain('spinAlpha');
    const again = await busyWhile(spinBeta, service.captureCpu({ durationMillis: 600 }));
    expect(time.isStarted()).toBe(false);
    expect(names(service, again.profile)).toContain('spinBeta');
    expect(names(service, again.profile), 'the second profile is fresh, not the first one continued').not.toContain(
      'spinAlpha',
    );
    expect(service.recorder().windows).toBe(0);
  });

  it('the flight recorder stays within its age bound', async () => {
    const service = await start({ windowMillis: 200, recorderMillis: 1_000 });
    await busyWhile(spinAlpha, new Promise((resolve) => setTimeout(resolve, 2_000)));
    const recorder = service.recorder();
    expect(recorder.windows).toBeGreaterThanOrEqual(4);
    expect(recorder.windows).toBeLessThanOrEqual(6);
    expect(Date.now() - recorder.oldestMillis!).toBeLessThan(1_700);
  });

  it('encodes gzipped pprof that decodes back to the same samples', async () => {
    const service = await start();
    const capture = await busyWhile(spinAlpha, service.captureCpu({ durationMillis: 600 }));
    const bytes = await service.encode(capture.profile);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const decoded = await decodeProfile(bytes);
    expect(decoded.sample.length).toBe(capture.profile.sample.length);
    expect(topTable(decoded).total).toBe(topTable(capture.profile).total);
  });
});

describe('heap and handles', () => {
  it('the heap profile names the allocation site of retained memory', async () => {
    const service = await start();
    const retained = retainLotsOfArrays();
    const table = topTable(await service.heapProfile(), 'inuse_space');
    const site = table.rows.find((r) => r.name === 'retainLotsOfArrays');
    expect(site?.cum ?? 0).toBeGreaterThan(5 * 1024 * 1024);
    expect(retained.length).toBe(300);
  });

  it('the handles profile counts open sockets by type', async () => {
    const service = await start();
    const sockets = await openSockets(12);
    const count = topTable(service.handlesProfile()).rows.find((r) => r.name === 'TCPSocketWrap')?.flat ?? 0;
    expect(count).toBeGreaterThanOrEqual(24); // both ends of each connection live in this process
    expect(sockets.length).toBe(12);
  });

  it('with tracking, each socket carries its creation site', async () => {
    const service = await start({ trackHandles: true });
    await openSockets(5);
    const rows = topTable(service.handlesProfile()).rows;
    const site = rows.find((r) => r.name === 'openSockets');
    expect(site?.cum ?? 0).toBeGreaterThanOrEqual(5);
    expect(rows.find((r) => r.name === 'TCPWRAP')?.flat ?? 0).toBeGreaterThanOrEqual(5);
  });

  it('heap snapshots are refused unless enabled', async () => {
    const service = await start();
    expect(service.heapSnapshotRefusal()?.code).toBe(ErrorCodes.HEAP_SNAPSHOT_DISABLED);
    expect(() => service.heapSnapshot()).toThrow(/heap snapshots are disabled/);
  });
});

function retainLotsOfArrays(): number[][] {
  const kept: number[][] = [];
  for (let i = 0; i < 300; i++) kept.push(Array.from({ length: 8_000 }, (_, j) => j + i + 0.5));
  return kept;
}

async function openSockets(count: number): Promise<Socket[]> {
  const server = createServer((socket) => cleanup.push(() => socket.destroy()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(() => server.close());
  const { port } = server.address() as { port: number };
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    sockets.push(socket);
    cleanup.push(() => socket.destroy());
  }
  return sockets;
}
