import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { countResources, handleMetrics } from '@vigil/plugin-handles';
import { startPlugins } from '@vigil/test-helpers/metrics';

let running: Awaited<ReturnType<typeof startPlugins>> | undefined;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) fn();
  await running?.stop();
  running = undefined;
});

describe('handles plugin', () => {
  it('open sockets raise the handle counts by type', async () => {
    running = await startPlugins([handleMetrics()]);
    const type = { 'nodejs.resource.type': 'TCPSocketWrap' };
    const socketsBefore = await running.reader.value('nodejs.active_handles', type).catch(() => 0);
    const totalBefore = await running.reader.value('nodejs.active_handles.all');

    const server = createServer((socket) => cleanup.push(() => socket.destroy()));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(() => server.close());
    const { port } = server.address() as { port: number };
    const clients: Socket[] = [];
    for (let i = 0; i < 10; i++) {
      const client = connect(port, '127.0.0.1');
      await once(client, 'connect');
      clients.push(client);
      cleanup.push(() => client.destroy());
    }

    // 10 client sockets + 10 accepted server-side sockets; the server itself is a TCPServerWrap.
    expect(await running.reader.value('nodejs.active_handles', type)).toBeGreaterThanOrEqual(socketsBefore + 20);
    expect(
      await running.reader.value('nodejs.active_handles', { 'nodejs.resource.type': 'TCPServerWrap' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await running.reader.value('nodejs.active_handles.all')).toBeGreaterThanOrEqual(totalBefore + 21);
    expect(await running.reader.value('nodejs.active_resources.all')).toBeGreaterThanOrEqual(totalBefore + 21);
  });

  it('timers are counted as handles', async () => {
    running = await startPlugins([handleMetrics()]);
    const timers = Array.from({ length: 5 }, () => setTimeout(() => undefined, 60_000));
    cleanup.push(() => timers.forEach(clearTimeout));
    expect(
      await running.reader.value('nodejs.active_handles', { 'nodejs.resource.type': 'Timeout' }),
    ).toBeGreaterThanOrEqual(5);
  });

  it('uses prom-client names when asked', async () => {
    running = await startPlugins([handleMetrics({ names: 'prom-client' })]);
    const names = [...(await running.reader.metrics()).keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'nodejs_active_handles_total',
        'nodejs_active_requests_total',
        'nodejs_active_resources_total',
        'nodejs_active_handles',
      ]),
    );
  });
});

describe('countResources', () => {
  it('splits requests from handles by type name', () => {
    const counts = countResources([
      'TCPSocketWrap',
      'TCPSocketWrap',
      'Timeout',
      'FSReqCallback',
      'GetAddrInfoReqWrap',
      'WriteWrap',
      'FSReqPromise',
    ]);
    expect(counts.total).toBe(7);
    expect(counts.handlesTotal).toBe(3);
    expect(counts.requestsTotal).toBe(4);
    expect(counts.handles.get('TCPSocketWrap')).toBe(2);
    expect(counts.requests.get('FSReqCallback')).toBe(1);
  });
});
