import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

/**
 * Registers the HTTP server/client instrumentation (and the user's own), so incoming requests get spans and honour
 * `traceparent`. Requests to Vigil's own servers are not traced. Returns a function that unregisters them.
 */
export function instrument(options: {
  http: boolean;
  extra: readonly Instrumentation[];
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  ownPorts: ReadonlySet<number>;
}): () => void {
  const unregisters: (() => void)[] = [];
  if (options.extra.length > 0) {
    unregisters.push(registerInstrumentations({ instrumentations: [...options.extra], tracerProvider: options.tracerProvider, meterProvider: options.meterProvider }));
  }
  if (options.http) {
    // Spans only: the instrumentation's own request-duration histograms would cost a record per request and grow
    // every scrape, and Vigil is not an HTTP metrics library (no meter provider given: they go to the no-op one).
    const http = new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: IncomingMessage) => options.ownPorts.has(req.socket.localPort ?? -1),
    });
    unregisters.push(registerInstrumentations({ instrumentations: [http], tracerProvider: options.tracerProvider }));
  }
  const unregister = () => unregisters.forEach((fn) => fn());
  if (options.http) {
    // The instrumentation patches `http` when it is next required; ESM apps import it instead, so require it here,
    // then refresh the named ESM exports (`import { request } from 'node:http'`) with the patched functions.
    const require = createRequire(`${process.cwd()}/`);
    require('http');
    require('https');
    syncBuiltinESMExports();
  }
  return unregister;
}
