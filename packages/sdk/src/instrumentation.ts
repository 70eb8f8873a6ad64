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
  const instrumentations: Instrumentation[] = [...options.extra];
  if (options.http) {
    instrumentations.push(
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => options.ownPorts.has(req.socket.localPort ?? -1),
      }),
    );
  }
  if (instrumentations.length === 0) return () => undefined;
  const unregister = registerInstrumentations({
    instrumentations,
    tracerProvider: options.tracerProvider,
    meterProvider: options.meterProvider,
  });
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
