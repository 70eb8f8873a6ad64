import { openSync, closeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { processMetrics } from '@vigil/plugin-process';
import { blockFor, startPlugins } from '@vigil/test-helpers/metrics';

let running: Awaited<ReturnType<typeof startPlugins>> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('process plugin', () => {
  it('CPU time grows with work', async () => {
    running = await startPlugins([processMetrics()]);
    const before = await running.reader.value('process.cpu.time', { 'cpu.mode': 'user' });
    const usage = process.cpuUsage();
    blockFor(300);
    const spent = process.cpuUsage(usage).user / 1e6; // what the kernel says this work cost (less on a busy machine)
    const after = await running.reader.value('process.cpu.time', { 'cpu.mode': 'user' });
    expect(spent).toBeGreaterThan(0.05);
    expect(after - before).toBeGreaterThanOrEqual(spent - 0.01);
    expect(after - before).toBeLessThan(spent + 0.1);
  });

  it('open file descriptors follow opens and closes', async () => {
    running = await startPlugins([processMetrics()]);
    const before = await running.reader.value('process.unix.file_descriptors');
    const fds = Array.from({ length: 20 }, () => openSync('/proc/self/status', 'r'));
    const during = await running.reader.value('process.unix.file_descriptors');
    fds.forEach(closeSync);
    expect(during - before).toBe(20);
    expect(await running.reader.value('process.unix.file_descriptor.limit')).toBeGreaterThan(during);
  });

  it('memory and uptime are plausible', async () => {
    running = await startPlugins([processMetrics()]);
    const rss = await running.reader.value('process.memory.usage');
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(await running.reader.value('process.memory.virtual')).toBeGreaterThan(rss);
    expect(await running.reader.value('process.uptime')).toBeCloseTo(process.uptime(), 0);
  });

  it('prom-client names: start time, version info and the CPU split', async () => {
    running = await startPlugins([processMetrics({ names: 'prom-client' })]);
    const startTime = await running.reader.value('process_start_time_seconds');
    expect(Math.abs(startTime - (Date.now() / 1e3 - process.uptime()))).toBeLessThan(2);
    expect(await running.reader.value('nodejs_version_info', { version: process.version })).toBe(1);
    const user = await running.reader.value('process_cpu_user_seconds');
    const system = await running.reader.value('process_cpu_system_seconds');
    const total = await running.reader.value('process_cpu_seconds');
    expect(total).toBeGreaterThanOrEqual(user + system - 0.05);
  });
});
