import { AggregationTemporality, InstrumentType, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';

/**
 * The trigger engine's view of the MeterProvider: an OpenTelemetry MetricReader that the engine collects once per
 * evaluation, so rules see every instrument — Vigil's plugins' and the app's — exactly as exporters do, with no second
 * reading of the runtime. Histograms are read as deltas (each collection holds what was recorded since the previous
 * one, so a statistic covers the last interval and windows are a sum of intervals); counters stay cumulative (a rate is
 * a difference, robust to a missed evaluation).
 *
 * sdk-metrics takes readers only when the MeterProvider is built: create this first and pass it in its `readers`.
 */
export class RuleMetricReader extends MetricReader {
  constructor() {
    super({
      aggregationTemporalitySelector: (type) =>
        type === InstrumentType.HISTOGRAM ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
    });
  }

  /** One collection, by instrument name (an instrument of the same name in several meters: their points together). */
  async snapshot(): Promise<Map<string, MetricData[]>> {
    const { resourceMetrics } = await this.collect();
    const byName = new Map<string, MetricData[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const list = byName.get(metric.descriptor.name);
        if (list) list.push(metric);
        else byName.set(metric.descriptor.name, [metric]);
      }
    }
    return byName;
  }

  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** What the sdk passes into the MeterProvider's readers, and then to the triggers plugin. */
export function ruleMetricReader(): RuleMetricReader {
  return new RuleMetricReader();
}
