import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import { PluginHost, type VigilPlugin } from '@vigil/core';

/** A metric reader that collects on demand, as a Prometheus scrape does. */
export class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}

  /** Every metric of one collection, by name. */
  async metrics(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'collection errors');
    const byName = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) byName.set(m.descriptor.name, m);
    return byName;
  }

  /** The value of a gauge or sum point whose attributes include `attributes`. */
  async value(name: string, attributes: Record<string, string> = {}): Promise<number> {
    const metric = (await this.metrics()).get(name);
    if (metric === undefined) throw new Error(`metric ${name} not collected`);
    const point = metric.dataPoints.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
    if (point === undefined) throw new Error(`no ${name} point with ${JSON.stringify(attributes)}`);
    return point.value as number;
  }
}

/**
 * Starts plugins on a real MeterProvider with on-demand readers (plus `extraReaders`, such as the trigger rules'
 * reader); `stop()` tears everything down.
 */
export async function startPlugins(plugins: VigilPlugin[], readerCount = 1, extraReaders: MetricReader[] = []) {
  const readers = Array.from({ length: readerCount }, () => new OnDemandReader());
  const meterProvider = new MeterProvider({ readers: [...readers, ...extraReaders] });
  const host = new PluginHost({ meterProvider, plugins });
  await host.start();
  return {
    host,
    reader: readers[0]!,
    readers,
    async stop() {
      await host.stop();
      await meterProvider.shutdown();
    },
  };
}

/** Keeps the event loop busy for `millis` ms (a synchronous stall). */
export function blockFor(millis: number): void {
  const end = performance.now() + millis;
  while (performance.now() < end) {
    // spin
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMillis = 10_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMillis;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The text of a process's /metrics on a loopback port, once it answers. */
export function scrapeMetrics(port: number, timeoutMillis = 20_000): Promise<string> {
  return waitFor(
    async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      return response.ok ? response.text() : undefined;
    },
    `metrics on port ${port}`,
    timeoutMillis,
  );
}
