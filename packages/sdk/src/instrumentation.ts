import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as NodeHttp from 'node:http';
import { trace, type DiagLogger } from '@opentelemetry/api';
import { isWrapped, registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

export interface Instrumented {
  /** Point Vigil's instrumentations at the global tracer provider again (after the app registered its own). */
  followGlobalTracerProvider(): void;
  stop(): void;
}

type HttpModule = typeof NodeHttp;

/**
 * Registers the HTTP server/client instrumentation (and the user's own) with the global tracer provider, so incoming
 * requests get spans and honour `traceparent`. Requests to Vigil's own servers are not traced. When the app already
 * instruments `http` (its own NodeSDK), Vigil adds none: a second HttpInstrumentation unwraps the first one's patch,
 * and the app's server spans would stop.
 */
export function instrument(options: { http: boolean; extra: readonly Instrumentation[]; ownPorts: ReadonlySet<number>; log: DiagLogger }): Instrumented {
  // Requiring `http` lets an instrumentation the app registered (require-in-the-middle) patch it first, so we see it.
  const require = createRequire(`${process.cwd()}/`);
  const http = require('http') as HttpModule;
  require('https');
  const instrumentations = [...options.extra];
  let own: HttpInstrumentation | undefined;
  if (options.http && isWrapped(http.Server.prototype.emit)) {
    options.log.info('HTTP is instrumented already (by the app): Vigil adds no HTTP instrumentation of its own');
  } else if (options.http) {
    // Spans only: the instrumentation's own request-duration histograms would cost a record per request and grow
    // every scrape, and Vigil is not an HTTP metrics library (no meter provider given: they go to the no-op one).
    own = new HttpInstrumentation({
      ignoreIncomingRequestHook: (req: NodeHttp.IncomingMessage) => options.ownPorts.has(req.socket.localPort ?? -1),
    });
    instrumentations.push(own);
  }
  const unregister = instrumentations.length > 0 ? registerInstrumentations({ instrumentations, tracerProvider: trace.getTracerProvider() }) : () => {};
  let patched: HttpModule['Server']['prototype']['emit'] | undefined;
  if (own !== undefined) {
    // The instrumentation patches `http` when it is next required; ESM apps import it instead, so require it here,
    // then refresh the named ESM exports (`import { request } from 'node:http'`) with the patched functions.
    require('http');
    require('https');
    syncBuiltinESMExports();
    patched = http.Server.prototype.emit;
  }
  return {
    followGlobalTracerProvider() {
      for (const instrumentation of instrumentations) instrumentation.setTracerProvider(trace.getTracerProvider());
    },
    stop() {
      // Disabling unwraps whatever wraps `emit` now: when the app's instrumentation has replaced ours since, leave it.
      if (own !== undefined && http.Server.prototype.emit !== patched) {
        options.extra.forEach((instrumentation) => instrumentation.disable());
        return;
      }
      unregister();
    },
  };
}
