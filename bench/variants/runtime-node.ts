/**
 * Bench variant: OpenTelemetry's @opentelemetry/instrumentation-runtime-node with its default options, read by
 * @opentelemetry/exporter-prometheus, which serves /metrics on BENCH_METRICS_HOST:BENCH_METRICS_PORT from its own
 * server. This is the setup its README shows, without sdk-node. Preloaded with `--import`.
 */
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

const exporter = new PrometheusExporter({
  host: process.env.BENCH_METRICS_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_METRICS_PORT ?? 9464),
});
const meterProvider = new MeterProvider({ readers: [exporter] });
registerInstrumentations({ instrumentations: [new RuntimeNodeInstrumentation()], meterProvider });
