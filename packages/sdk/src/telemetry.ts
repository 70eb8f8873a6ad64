import { metrics, type DiagLogger } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { ruleMetricReader, type RuleMetricReader } from '@vigil/triggers';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader } from '@opentelemetry/sdk-metrics';
import { appMetricsProducer } from './app-metrics.ts';
import { holdMeterProvider } from './handover.ts';
import { registeredGlobal } from './otel-globals.ts';
import { vigilResource } from './resource.ts';
import type { ResolvedConfig } from './types.ts';

export interface Telemetry {
  resource: Resource;
  exporter: PrometheusExporter;
  /** What the trigger rules read the MeterProvider through. */
  rulesReader: RuleMetricReader;
  meterProvider: MeterProvider;
  shutdown(): Promise<void>;
}

/**
 * Every reader of Vigil's MeterProvider, in one place: a new consumer of the metrics (the trigger engine, a push
 * exporter) is one more entry here. App instruments made through the global API are on this provider already; a
 * reader that must also see an app's *own* MeterProvider takes `metricProducers: [appMetricsProducer]`, as the
 * Prometheus exporter below does.
 */
function metricReaders(prometheus: PrometheusExporter, rules: RuleMetricReader): MetricReader[] {
  return [prometheus, rules];
}

/**
 * The metrics side, the only OpenTelemetry SDK a metrics-only start loads: a resource, a MeterProvider read by the
 * Prometheus exporter (which also collects the app's own MeterProvider when it carries Vigil's reader), registered as
 * the global MeterProvider when the slot is free, so the app's `metrics.getMeter()` instruments reach `/metrics`.
 */
export function createTelemetry(config: Readonly<ResolvedConfig>, log: DiagLogger): Telemetry {
  const resource = vigilResource(config);
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    metricProducers: [appMetricsProducer],
  });
  const rulesReader = ruleMetricReader(); // the trigger rules read the MeterProvider through it
  const meterProvider = new MeterProvider({ resource, readers: metricReaders(exporter, rulesReader) });
  const ownsGlobal = registeredGlobal('metrics') === undefined && metrics.setGlobalMeterProvider(meterProvider);
  if (ownsGlobal) holdMeterProvider(meterProvider);
  else {
    log.info(
      "a global MeterProvider is registered already (the app's): its instruments reach /metrics once it carries " +
        "Vigil's reader — new NodeSDK({ ...yourOptions, ...vigilComponents() }) (see docs/opentelemetry.md)",
    );
  }
  let stopped: Promise<void> | undefined;
  return {
    resource,
    exporter,
    rulesReader,
    meterProvider,
    shutdown() {
      stopped ??= (async () => {
        if (ownsGlobal && registeredGlobal('metrics') === meterProvider) metrics.disable();
        await meterProvider.shutdown();
      })();
      return stopped;
    },
  };
}
