import { DiagLogLevel, diag, type DiagLogger } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, PluginHost, defineCapability, type PluginContext, type VigilPlugin } from '@vigil/core';
import { OnDemandReader } from '@vigil/test-helpers/metrics';

function plugin(name: string, extra: Partial<VigilPlugin> & { log?: string[] } = {}): VigilPlugin {
  const log = extra.log ?? [];
  return {
    name,
    version: '1.0.0',
    dependencies: extra.dependencies,
    start: extra.start ?? (() => void log.push(`start ${name}`)),
    stop: extra.stop ?? (() => void log.push(`stop ${name}`)),
  };
}

function host(plugins: VigilPlugin[]) {
  const reader = new OnDemandReader();
  return { host: new PluginHost({ meterProvider: new MeterProvider({ readers: [reader] }), plugins }), reader };
}

afterEach(() => {
  diag.disable();
});

describe('PluginHost', () => {
  it('starts in dependency order and stops in reverse', async () => {
    const log: string[] = [];
    const { host: h } = host([
      plugin('triggers', { log, dependencies: ['profiler', 'event-loop'] }),
      plugin('profiler', { log }),
      plugin('event-loop', { log }),
    ]);
    await h.start();
    await h.stop();
    expect(log).toEqual([
      'start profiler',
      'start event-loop',
      'start triggers',
      'stop triggers',
      'stop event-loop',
      'stop profiler',
    ]);
  });

  it.each([
    [
      'a missing dependency',
      [plugin('a', { dependencies: ['ghost'] })],
      ErrorCodes.PLUGIN_DEPENDENCY_MISSING,
      /"a" depends on "ghost", which is not registered/,
    ],
    [
      'a cycle',
      [plugin('a', { dependencies: ['b'] }), plugin('b', { dependencies: ['a'] })],
      ErrorCodes.PLUGIN_DEPENDENCY_CYCLE,
      /cycle: a -> b -> a/,
    ],
    ['a duplicate', [plugin('a'), plugin('a')], ErrorCodes.PLUGIN_DUPLICATE, /"a" is registered twice/],
  ])('rejects %s up front', (_name, plugins, code, message) => {
    expect(() => host(plugins)).toThrow(message);
    try {
      host(plugins);
    } catch (error) {
      expect((error as { code: string }).code).toBe(code);
    }
  });

  it('disables a failing plugin alone (and its dependents), counts the error, keeps the rest', async () => {
    const log: string[] = [];
    const { host: h, reader } = host([
      plugin('good', { log }),
      plugin('bad', { log, start: () => Promise.reject(new Error('boom')) }),
      plugin('needs-bad', { log, dependencies: ['bad'] }),
      plugin('also-good', { log }),
    ]);
    await h.start();
    expect(h.status()).toEqual([
      { name: 'good', state: 'running' },
      { name: 'bad', state: 'failed' },
      { name: 'needs-bad', state: 'skipped' },
      { name: 'also-good', state: 'running' },
    ]);
    expect(log).toEqual(['start good', 'stop bad', 'start also-good']);
    expect(await reader.value('vigil.errors', { component: 'bad' })).toBe(1);
    await h.stop();
  });

  it('stop is idempotent', async () => {
    let stops = 0;
    const { host: h } = host([plugin('a', { stop: () => void stops++ })]);
    await h.start();
    await Promise.all([h.stop(), h.stop()]);
    await h.stop();
    expect(stops).toBe(1);
    expect(h.status()[0]!.state).toBe('stopped');
  });

  it('shares typed capabilities and aborts the signal on stop', async () => {
    const Clock = defineCapability<{ now(): number }>('test-clock');
    let seen: number | undefined;
    let signal: AbortSignal | undefined;
    const { host: h } = host([
      plugin('reader', { dependencies: ['clock'], start: (ctx: PluginContext) => void (seen = ctx.use(Clock)?.now()) }),
      plugin('clock', {
        start: (ctx: PluginContext) => {
          signal = ctx.signal;
          ctx.provide(Clock, { now: () => 42 });
        },
      }),
    ]);
    await h.start();
    expect(seen).toBe(42);
    expect(h.use(defineCapability<{ now(): number }>('test-clock'))?.now()).toBe(42);
    expect(signal!.aborted).toBe(false);
    await h.stop();
    expect(signal!.aborted).toBe(true);
  });

  it('guard swallows, logs and counts an exception in a callback', async () => {
    const lines: unknown[][] = [];
    const record =
      (level: string) =>
      (...args: unknown[]) =>
        void lines.push([level, ...args]);
    const logger: DiagLogger = {
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: record('debug'),
      verbose: record('verbose'),
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
    let guarded: (() => void) | undefined;
    const { host: h, reader } = host([
      plugin('flaky', {
        start: (ctx: PluginContext) => {
          guarded = ctx.guard(() => {
            throw new Error('inside a timer');
          }, 'a timer');
        },
      }),
    ]);
    await h.start();
    expect(() => guarded!()).not.toThrow();
    guarded!();
    expect(await reader.value('vigil.errors', { component: 'flaky' })).toBe(2);
    // Logged through the plugin's component logger, as an error naming what failed and carrying the exception.
    const logged = lines.filter(([level, namespace]) => level === 'error' && namespace === 'vigil/flaky');
    expect(logged).toHaveLength(2);
    expect(logged[0]![2]).toBe('a timer failed (swallowed)');
    expect((logged[0]![3] as Error).message).toBe('inside a timer');
    await h.stop();
  });
});
