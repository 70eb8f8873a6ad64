import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { DiagLogger } from '@opentelemetry/api';
import { ErrorCodes, VigilError } from '@vigil/core';
import type { CaptureRecorder, ProfilerService } from '@vigil/profiler';
import type { TriggersService } from '@vigil/triggers';
import { isLoopback } from './address.ts';
import { DEBUG_SERVER_DEFAULTS } from './defaults.ts';
import { DEFAULT_HTTP_LIMITS, httpServerOptions, type HttpLimits } from './http-limits.ts';
import { listen } from './listen.ts';
import { requestHandler } from './request-handler.ts';
import type { RouteContext } from './route-table.ts';
import type { IndexContext } from './routes/pprof-index.ts';
import { checkExposure } from './security.ts';
import type { DebugServerOptions } from './types.ts';

export interface DebugServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface DebugServerDeps {
  profiler: ProfilerService | undefined;
  captures: CaptureRecorder | undefined;
  triggers?: TriggersService;
  diag: DiagLogger;
  reportError(error: unknown, what: string): void;
}

/**
 * Go's net/http/pprof for Node: `/debug/pprof/*` over node:http(s). Secure by default: loopback unless configured,
 * refused at start when exposed with neither token nor TLS, bearer token compared in constant time, Host-header check
 * against DNS rebinding, request timeouts and a cap on requests in flight (see request-handler.ts for each request,
 * route-table.ts for the routes).
 */
export async function startDebugServer(options: DebugServerOptions, deps: DebugServerDeps): Promise<DebugServer> {
  checkExposure({
    address: options,
    token: options.token,
    tls: options.tls !== undefined,
    insecure: options.insecure ?? false,
  });
  const limits: HttpLimits = {
    headersTimeoutMillis: options.headersTimeoutMillis ?? DEFAULT_HTTP_LIMITS.headersTimeoutMillis,
    bodyTimeoutMillis: options.bodyTimeoutMillis ?? DEFAULT_HTTP_LIMITS.bodyTimeoutMillis,
  };
  const ctx: RouteContext = {
    profiler: deps.profiler,
    captures: deps.captures,
    triggers: deps.triggers,
    continuous: deps.profiler?.continuous ?? false,
    maxSeconds: options.maxSeconds ?? DEBUG_SERVER_DEFAULTS.maxSeconds,
    bodyTimeoutMillis: limits.bodyTimeoutMillis,
    reportError: deps.reportError,
  };
  // The origin is known once listening; the index page reads it only when asked, which is later.
  const index: IndexContext = {
    baseUrl: '',
    token: options.token !== undefined,
    profiler: deps.profiler,
    captures: deps.captures,
    triggers: deps.triggers,
  };
  const handle = requestHandler(
    {
      listenHost: options.host,
      token: options.token,
      maxInFlight: options.maxInFlight ?? DEBUG_SERVER_DEFAULTS.maxInFlight,
      diag: deps.diag,
      reportError: deps.reportError,
    },
    ctx,
    index,
  );

  const timeouts = httpServerOptions(limits);
  const server: Server = options.tls
    ? createHttpsServer(
        {
          ...timeouts,
          cert: options.tls.cert,
          key: options.tls.key,
          ca: options.tls.ca,
          requestCert: options.tls.ca !== undefined,
          rejectUnauthorized: options.tls.ca !== undefined,
        },
        handle,
      )
    : createHttpServer(timeouts, handle);
  server.maxHeadersCount = 64;
  const listening = await listen(server, options, {
    limits,
    what: 'debug server',
    reportError: deps.reportError,
    refuse: (reason, cause) =>
      new VigilError(
        ErrorCodes.DEBUG_LISTEN,
        `VIGIL_DEBUG_ADDR: cannot serve the debug endpoints on ${options.host}:${options.port}: ${reason}; expected a free port, or "off"`,
        { field: 'VIGIL_DEBUG_ADDR', value: `${options.host}:${options.port}`, cause },
      ),
  });
  index.baseUrl = `${options.tls ? 'https' : 'http'}://${listening.authority}`;
  if (!isLoopback(options.host))
    deps.diag.warn(
      `debug endpoints exposed on ${options.host}:${listening.port}${options.token ? ' (token required)' : ''}${options.tls ? ' over TLS' : ''}`,
    );

  return { url: index.baseUrl, close: () => listening.close() };
}
