import { MetricReader, type CollectionResult, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { emptyResource } from '@opentelemetry/resources';
import { getGlobal, setGlobal } from '@vigil/core';

const READERS = 'sdk.app-metric-readers';

/** A pull-only reader for an app's own MeterProvider: Vigil's `/metrics` collects it at each scrape. */
class AppMetricsReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {
    readers().delete(this);
  }
  protected override async onForceFlush(): Promise<void> {}
}

function readers(): Set<MetricReader> {
  let set = getGlobal<Set<MetricReader>>(READERS);
  if (set === undefined) setGlobal(READERS, (set = new Set()));
  return set;
}

/** A reader to put on the app's MeterProvider (through `vigilComponents()`), so its instruments reach `/metrics`. */
export function appMetricsReader(): MetricReader {
  const reader = new AppMetricsReader();
  readers().add(reader);
  return reader;
}

/**
 * The metrics of the app's own MeterProviders, for Vigil's Prometheus exporter (a `metricProducers` entry): readers
 * not yet bound, or gone, contribute nothing.
 */
export const appMetricsProducer: MetricProducer = {
  async collect(options): Promise<CollectionResult> {
    const results = await Promise.all([...readers()].map((reader) => reader.collect(options).catch(() => undefined)));
    const collected = results.filter((r) => r !== undefined);
    return {
      // The exporter keeps its own resource and takes only the scopes of extra producers.
      resourceMetrics: {
        resource: emptyResource(),
        scopeMetrics: collected.flatMap((r) => r.resourceMetrics.scopeMetrics),
      },
      errors: collected.flatMap((r) => r.errors),
    };
  },
};
