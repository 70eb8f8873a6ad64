import type { Server } from 'node:http';
import type { DiagLogger } from '@opentelemetry/api';
import { PluginHost, orderByDependencies } from '@vigil/core';
import { eventLoopMetrics } from '@vigil/plugin-event-loop';
import { handleMetrics } from '@vigil/plugin-handles';
import { heapMetrics } from '@vigil/plugin-heap';
import { processMetrics } from '@vigil/plugin-process';
import { listenMetrics } from './metrics-server.ts';
import { createTelemetry } from './telemetry.ts';
import type { ResolvedConfig, VigilHandle, VigilOptions } from './types.ts';

/** Everything `start()` sets up once the runtime and the configuration are known good. */
export async function setup(
  config: Readonly<ResolvedConfig>,
  options: VigilOptions,
  portField: string,
  log: DiagLogger,
): Promise<VigilHandle> {
  const names = config.metricNames;
  const plugins = [
    eventLoopMetrics({ names, windowMillis: config.eventLoopWindow }),
    heapMetrics({ names }),
    handleMetrics({ names }),
    processMetrics({ names }),
    ...(options.plugins ?? []),
  ];
  orderByDependencies(plugins); // a plugin set that cannot start is a configuration error: fail before touching globals
  const telemetry = createTelemetry(config, log);
  const host = new PluginHost({ plugins, meterProvider: telemetry.meterProvider });
  let server: Server | undefined;
  let url: string | undefined;
  try {
    ({ server, url } = await listenMetrics(telemetry.exporter, config.metricsHost, config.metricsPort, portField));
    await host.start();
  } catch (error) {
    await teardown(host, server, telemetry.shutdown);
    throw error;
  }
  log.info(`started: metrics at ${url}`);

  let stopping: Promise<void> | undefined;
  return {
    config,
    metricsUrl: url,
    shutdown() {
      stopping ??= teardown(host, server, telemetry.shutdown);
      return stopping;
    },
  };
}

async function teardown(host: PluginHost, server: Server | undefined, shutdownTelemetry: () => Promise<void>): Promise<void> {
  await host.stop();
  if (server?.listening) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await shutdownTelemetry();
}
