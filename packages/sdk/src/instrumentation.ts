import { createRequire } from 'node:module';
import type * as NodeHttp from 'node:http';
import { trace, type DiagLogger, type Tracer } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import pkg from '../package.json' with { type: 'json' };
import { httpClientSpans } from './http-client-spans.ts';
import { httpServerSpans } from './http-server-spans.ts';

export interface Instrumented {
  /** Point Vigil's instrumentations at the global tracer provider again (after the app registered its own). */
  followGlobalTracerProvider(): void;
  stop(): void;
}

type HttpModule = typeof NodeHttp;

/**
 * HTTP server and client spans from Node's diagnostics_channel (no patch of `http`; see http-server-spans.ts), and
 * the user's own instrumentations. When the app instruments `http` itself (its own NodeSDK's HttpInstrumentation),
 * Vigil makes no HTTP spans — checked at start and again per request, since the app's SDK may start after Vigil —
 * so the app's spans are neither doubled nor re-parented. `recording: false` (nothing exports spans) gives requests
 * non-recording spans: the trace context that CPU samples are labelled with and outgoing requests propagate.
 */
export async function instrument(options: {
  http: boolean;
  recording: boolean;
  extra: readonly Instrumentation[];
  ownPorts: ReadonlySet<number>;
  log: DiagLogger;
}): Promise<Instrumented> {
  // Requiring `http` lets an instrumentation the app registered (require-in-the-middle) patch it first, so we see it.
  const require = createRequire(`${process.cwd()}/`);
  const http = require('http') as HttpModule;
  require('https');
  let unregisterExtra = (): void => {};
  if (options.extra.length > 0) {
    const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
    unregisterExtra = registerInstrumentations({
      instrumentations: [...options.extra],
      tracerProvider: trace.getTracerProvider(),
    });
  }
  let tracer: Tracer = trace.getTracer(pkg.name, pkg.version);
  const stops: (() => void)[] = [];
  const appInstrumentsHttp = () => isShimmed(http.Server.prototype.emit) || isShimmed(http.request);
  if (options.http && appInstrumentsHttp()) {
    options.log.info('HTTP is instrumented already (by the app): Vigil adds no HTTP spans of its own');
  } else if (options.http) {
    const common = { tracer: () => tracer, recording: options.recording, skip: appInstrumentsHttp };
    stops.push(httpServerSpans({ ...common, ignorePorts: options.ownPorts }), httpClientSpans(common));
  }
  return {
    followGlobalTracerProvider() {
      tracer = trace.getTracer(pkg.name, pkg.version);
      for (const instrumentation of options.extra) instrumentation.setTracerProvider(trace.getTracerProvider());
    },
    stop() {
      stops.forEach((stop) => stop());
      unregisterExtra();
    },
  };
}

/** Whether `fn` was wrapped by shimmer (what OpenTelemetry's instrumentations patch with): it carries `__wrapped`. */
function isShimmed(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { __wrapped?: unknown }).__wrapped === true;
}
