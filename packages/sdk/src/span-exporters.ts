import { diag } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * The span processors `OTEL_TRACES_EXPORTER` asks for, as NodeSDK reads it (`otlp` over `OTEL_EXPORTER_OTLP_PROTOCOL`,
 * `console`, `zipkin`, `none`; the `OTEL_BSP_*` batch settings), except the default when it is unset: NodeSDK's is
 * `otlp` (traffic to localhost:4318 that nobody asked for), Vigil's is `none`. Each exporter package is loaded only
 * when it is named.
 */
export async function spanProcessorsFromEnv(): Promise<SpanProcessor[]> {
  const names = [...new Set(getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [])].filter(
    (name) => name !== 'none' && name !== 'null',
  );
  if (names.length === 0) return [];
  const { BatchSpanProcessor, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace');
  const processors: SpanProcessor[] = [];
  for (const name of names) {
    const exporter = await exporterNamed(name);
    if (exporter === undefined) continue;
    processors.push(
      name === 'console'
        ? new SimpleSpanProcessor({ exporter })
        : new BatchSpanProcessor({
            exporter,
            maxQueueSize: positive('OTEL_BSP_MAX_QUEUE_SIZE'),
            scheduledDelayMillis: positive('OTEL_BSP_SCHEDULE_DELAY'),
            exportTimeoutMillis: positive('OTEL_BSP_EXPORT_TIMEOUT'),
            maxExportBatchSize: positive('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
          }),
    );
  }
  return processors;
}

async function exporterNamed(name: string): Promise<SpanExporter | undefined> {
  switch (name) {
    case 'otlp':
      return otlpExporter();
    case 'console':
      return new (await import('@opentelemetry/sdk-trace')).ConsoleSpanExporter();
    case 'zipkin':
      return new (await import('@opentelemetry/exporter-zipkin')).ZipkinExporter();
    default:
      diag
        .createComponentLogger({ namespace: 'vigil' })
        .warn(`OTEL_TRACES_EXPORTER: "${name}" is not one of otlp, console, zipkin, none; it is ignored`);
      return undefined;
  }
}

async function otlpExporter(): Promise<SpanExporter> {
  const protocol =
    getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ??
    getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ??
    'http/protobuf';
  switch (protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
    default:
      diag
        .createComponentLogger({ namespace: 'vigil' })
        .warn(
          `OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not grpc, http/json or http/protobuf; using http/protobuf`,
        );
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
}

function positive(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  return value !== undefined && value > 0 ? value : undefined;
}

/** Whether the environment names a span exporter (anything but `none`): then tracing is on even with nothing else. */
export function exportersRequested(env: Readonly<Record<string, string | undefined>>): boolean {
  return (env.OTEL_TRACES_EXPORTER ?? '').split(',').some((name) => !['', 'none', 'null'].includes(name.trim()));
}
