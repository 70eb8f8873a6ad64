import { createServer } from 'node:net';
import { once } from 'node:events';
import type { DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError, start, type VigilHandle } from '@vigil/sdk';
import { waitFor } from '@vigil/test-helpers/metrics';

let handle: VigilHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

function recordingLogger(): DiagLogger & { lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (...args: unknown[]) =>
      void lines.push(`${level} ${args.join(' ')}`);
  return {
    lines,
    error: push('error'),
    warn: push('warn'),
    info: push('info'),
    debug: push('debug'),
    verbose: push('verbose'),
  };
}

describe('start()', () => {
  it('serves the runtime metrics on /metrics and tags them with the service name', async () => {
    handle = await start({
      serviceName: 'checkout',
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      debugAddr: '127.0.0.1:0',
    });
    expect(handle.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await (await fetch(handle.metricsUrl!)).text();
    for (const name of [
      'nodejs_eventloop_delay_max',
      'nodejs_eventloop_utilization',
      'v8js_heap_used',
      'v8js_memory_heap_used',
      'nodejs_active_handles_all',
      'process_cpu_time_total',
      'process_memory_usage',
    ]) {
      expect(text).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(text).toMatch(/target_info\{[^}]*service_name="checkout"/);
    expect(text).not.toMatch(/otel_scope_name/);
  });

  it('serves prom-client names in that mode', async () => {
    handle = await start({
      metricsHost: '127.0.0.1',
      metricsPort: 0,
      debugAddr: '127.0.0.1:0',
      metricNames: 'prom-client',
    });
    // The GC histogram has a series once a collection has happened: churn until one has.
    const text = await waitFor(async () => {
      void Array.from({ length: 100_000 }, (_, i) => ({ i }));
      const body = await (await fetch(handle!.metricsUrl!)).text();
      return /^nodejs_gc_duration_seconds_bucket/m.test(body) ? body : undefined;
    }, 'a GC pause in the histogram');
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_active_handles_total',
      'process_cpu_seconds_total',
      'nodejs_version_info',
      'process_start_time_seconds',
      'nodejs_gc_duration_seconds_bucket',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
  });

  it('answers 404 off /metrics', async () => {
    handle = await start({ metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0' });
    const response = await fetch(handle.metricsUrl!.replace('/metrics', '/nope'));
    expect(response.status).toBe(404);
  });

  it('a second start() returns the same handle and warns', async () => {
    const logger = recordingLogger();
    handle = await start({ metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0', diagLogger: logger });
    const again = await start({ metricsPort: 1 });
    expect(again).toBe(handle);
    expect(logger.lines.some((l) => /^warn .*start\(\) was called again/.test(l))).toBe(true);
  });

  it('shutdown is idempotent, closes the endpoint, and allows a fresh start', async () => {
    handle = await start({ metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0' });
    const url = handle.metricsUrl!;
    await Promise.all([handle.shutdown(), handle.shutdown()]);
    await expect(fetch(url)).rejects.toThrow();
    handle = await start({ metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0' });
    expect((await fetch(handle.metricsUrl!)).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>, RegExp, string]>([
    [
      'an unknown option',
      { metricPort: 1 },
      /^options\.metricPort: unknown option; did you mean "metricsPort"\?/,
      ErrorCodes.CONFIG_UNKNOWN_OPTION,
    ],
    [
      'a bad duration',
      { eventLoopWindow: 'a while' },
      /^options\.eventLoopWindow: "a while" is not valid; expected a number of milliseconds/,
      ErrorCodes.CONFIG_INVALID_VALUE,
    ],
    [
      'a bad naming mode',
      { metricNames: 'statsd' },
      /^options\.metricNames: "statsd" is not valid; expected one of "otel", "prom-client"/,
      ErrorCodes.CONFIG_INVALID_VALUE,
    ],
    [
      'a bad port',
      { metricsPort: 'ninety' },
      /^options\.metricsPort: "ninety" is not valid; expected a TCP port/,
      ErrorCodes.CONFIG_INVALID_VALUE,
    ],
  ])('rejects %s with a VigilError naming the field', async (_name, options, message, code) => {
    const error = await start({ metricsHost: '127.0.0.1', ...options }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe(code);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a port already in use, naming the field and value, and can then start elsewhere', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const error = (await start({ metricsHost: '127.0.0.1', metricsPort: port }).catch(
        (e: unknown) => e,
      )) as VigilError;
      expect(error).toBeInstanceOf(VigilError);
      expect(error.code).toBe(ErrorCodes.METRICS_LISTEN);
      expect(error.message).toBe(
        `options.metricsPort: cannot serve metrics on 127.0.0.1:${port}: the port is already in use; expected a free port (or 0 to pick one)`,
      );
      handle = await start({ metricsHost: '127.0.0.1', metricsPort: 0, debugAddr: '127.0.0.1:0' });
      expect((await fetch(handle.metricsUrl!)).status).toBe(200);
    } finally {
      blocker.close();
    }
  });
});
