import type { Server } from 'node:http';
import type { DiagLogger } from '@opentelemetry/api';
import { PluginHost, orderByDependencies } from '@vigil/core';
import { eventLoopMetrics } from '@vigil/plugin-event-loop';
import { handleMetrics } from '@vigil/plugin-handles';
import { heapMetrics } from '@vigil/plugin-heap';
import { processMetrics } from '@vigil/plugin-process';
import { startDebugServer, type DebugServer } from '@vigil/debug-server';
import { ProfilerCapability, profiler } from '@vigil/profiler';
import { listenMetrics } from './metrics-server.ts';
import { debugServerOptions } from './debug-options.ts';
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
    profiler({
      continuous: config.profiling,
      recorderMillis: config.flightRecorder,
      recorderMaxBytes: config.flightRecorderMaxBytes,
      heapSnapshots: config.heapSnapshots,
      trackHandles: config.trackHandles,
      sourceMapDirs: config.sourceMaps,
    }),
    ...(options.plugins ?? []),
  ];
  const debugOptions = debugServerOptions(config); // validates exposure and reads TLS files: fails before any side effect
  orderByDependencies(plugins); // a plugin set that cannot start is a configuration error: fail before touching globals
  const telemetry = createTelemetry(config, log);
  const host = new PluginHost({ plugins, meterProvider: telemetry.meterProvider });
  let server: Server | undefined;
  let url: string | undefined;
  let debug: DebugServer | undefined;
  try {
    ({ server, url } = await listenMetrics(telemetry.exporter, config.metricsHost, config.metricsPort, portField));
    await host.start();
    if (debugOptions !== undefined) {
      debug = await startDebugServer(debugOptions, {
        profiler: host.use(ProfilerCapability),
        diag: log,
        reportError: (error, what) => host.reportError('debug-server', error, what),
      });
    }
  } catch (error) {
    await teardown(host, server, debug, telemetry.shutdown);
    throw error;
  }
  log.info(`started: metrics at ${url}${debug ? `, debug endpoints at ${debug.url}/debug/pprof/` : ''}`);

  let stopping: Promise<void> | undefined;
  return {
    config,
    metricsUrl: url,
    debugUrl: debug?.url,
    shutdown() {
      stopping ??= teardown(host, server, debug, telemetry.shutdown);
      return stopping;
    },
  };
}

async function teardown(host: PluginHost, server: Server | undefined, debug: DebugServer | undefined, shutdownTelemetry: () => Promise<void>): Promise<void> {
  await debug?.close();
  await host.stop();
  if (server?.listening) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await shutdownTelemetry();
}
