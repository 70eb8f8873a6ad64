import { diag } from '@opentelemetry/api';
import { ErrorCodes, deleteGlobal, getGlobal, setGlobal } from '@vigil/core';
import { resolveSdkConfig, sourceOf } from './config.ts';
import { openClusterHub } from './cluster/cluster-hub.ts';
import { setupDiag } from './diag-setup.ts';
import { createTelemetry } from './telemetry.ts';
import { isSupportedRuntime } from './runtime-check.ts';
import type { VigilHandle, VigilOptions } from './types.ts';

const RUNNING = 'sdk.running';

/**
 * Starts Vigil once per process. A second call returns the running instance (with a warning); the state lives on
 * globalThis so that the ESM and CJS builds, or two installed copies, share it. Rejects with a VigilError on bad
 * configuration; on an unsupported Node.js it logs one error and resolves to a handle that does nothing.
 */
export function start(options: VigilOptions = {}): Promise<VigilHandle> {
  return launch(options);
}

/**
 * `start()`, with the moment to set up tracing given: `--import @vigil/sdk/register` waits for the app's entry module
 * so that an SDK the app starts in a preload of its own is registered by then (see main-entry.ts).
 */
export function launch(options: VigilOptions, tracingGate?: Promise<void>): Promise<VigilHandle> {
  const log = diag.createComponentLogger({ namespace: 'vigil' });
  const running = getGlobal<Promise<VigilHandle>>(RUNNING);
  if (running !== undefined) {
    log.warn(
      'start() was called again: returning the running instance (call shutdown() first to restart with new options)',
    );
    return running;
  }
  const starting: Promise<VigilHandle> = startOnce(options, process.env, tracingGate).then((handle) =>
    wrapShutdown(handle, starting),
  );
  setGlobal(RUNNING, starting);
  starting.catch(() => {
    if (getGlobal(RUNNING) === starting) deleteGlobal(RUNNING);
  });
  return starting;
}

async function startOnce(
  options: VigilOptions,
  env: NodeJS.ProcessEnv,
  tracingGate?: Promise<void>,
): Promise<VigilHandle> {
  setupDiag(options, env);
  const log = diag.createComponentLogger({ namespace: 'vigil' });
  const config = resolveSdkConfig(options, env);
  if (!isSupportedRuntime()) {
    log.error(
      `${ErrorCodes.RUNTIME_UNSUPPORTED}: Vigil needs Node.js >= 22.15 and this is ${process.version}; ` +
        'Vigil is disabled and the application runs without it. Upgrade to Node.js 22.15+ or 24 LTS.',
    );
    return { config, metricsUrl: undefined, debugUrl: undefined, shutdown: () => Promise.resolve() };
  }
  // Before the first await: the global MeterProvider must be there when the app's modules call metrics.getMeter()
  // (the metrics API has no proxy: a meter taken earlier is a no-op for good), and register.ts runs this in a preload;
  // the app may fork cluster workers as soon as this returns, and they must find the hub.
  const telemetry = createTelemetry(config, log);
  const hub = openClusterHub();
  try {
    // Loaded only on a supported runtime: the OpenTelemetry 3.x packages need Node.js 22.15.
    const { setup } = await import('./setup.ts');
    return await setup(config, options, sourceOf('metricsPort', options, env), log, telemetry, { hub, tracingGate });
  } catch (error) {
    hub?.close();
    await telemetry.shutdown(); // a configuration error leaves no global behind
    throw error;
  }
}

function wrapShutdown(handle: VigilHandle, self: Promise<VigilHandle>): VigilHandle {
  return Object.freeze({
    config: handle.config,
    metricsUrl: handle.metricsUrl,
    debugUrl: handle.debugUrl,
    async shutdown() {
      await handle.shutdown();
      if (getGlobal(RUNNING) === self) deleteGlobal(RUNNING);
    },
  });
}
