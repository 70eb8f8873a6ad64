import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { DiagLogger } from '@opentelemetry/api';
import { ErrorCodes, VigilError, formatDuration } from '@vigil/core';
import type { CaptureRecorder, ProfilerService } from '@vigil/profiler';
import * as capturesRoutes from './routes/captures.ts';
import { flameRoute } from './routes/flame.ts';
import * as triggersRoutes from './routes/triggers.ts';
import type { TriggersService } from '@vigil/triggers';
import { isLoopback } from './address.ts';
import { DEFAULT_HTTP_LIMITS, httpServerOptions, missingHost, type HttpLimits } from './http-limits.ts';
import { listen } from './listen.ts';
import { renderIndex, type IndexEntry, type IndexExtras } from './index-page.ts';
import { isTraceId } from '@vigil/store';
import * as pprof from './routes/pprof.ts';
import { sendError, sendText } from './responses.ts';
import { bearerMatches, checkExposure, hostAllowed } from './security.ts';
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

type Context = pprof.PprofContext & capturesRoutes.CapturesContext & triggersRoutes.TriggersContext;
type Handler = (req: IncomingMessage, res: ServerResponse, params: URLSearchParams, ctx: Context) => Promise<void>;

const GET_ROUTES: Record<string, Handler> = {
  '/debug/pprof/profile': pprof.profile,
  '/debug/pprof/heap': pprof.heap,
  '/debug/pprof/handles': pprof.handles,
  '/debug/pprof/heapsnapshot': pprof.heapSnapshot,
  '/debug/vigil/captures': capturesRoutes.listCaptures,
  '/debug/vigil/triggers': triggersRoutes.getTriggers,
};
const POST_ROUTES: Record<string, Handler> = {
  '/debug/vigil/captures': capturesRoutes.postCapture,
  '/debug/vigil/alerts': triggersRoutes.postAlerts,
};
const CAPTURE_PATH = /^\/debug\/vigil\/captures\/([^/]+)$/;

/** A path segment's text, or undefined for a malformed escape (`%zz`, `%E0%A4%A`), which decodeURIComponent throws on. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The handler for a method and path, or the status and reason to answer instead. */
function route(method: string, path: string): Handler | { status: number; reason: string; allow?: string } {
  const captureMatch = CAPTURE_PATH.exec(path);
  const known = GET_ROUTES[path] !== undefined || POST_ROUTES[path] !== undefined || captureMatch !== null;
  if (!known) return { status: 404, reason: `no such endpoint: ${path.slice(0, 200)}; see /debug/pprof/` };
  if (method === 'GET' || method === 'HEAD') {
    if (captureMatch) {
      const id = decodeSegment(captureMatch[1]!);
      if (id === undefined) return { status: 400, reason: `malformed percent-encoding in the path: ${path.slice(0, 200)}` };
      return (req, res, params, ctx) => capturesRoutes.getCapture(req, res, params, ctx, id);
    }
    const handler = GET_ROUTES[path];
    if (handler) return handler;
  }
  if (method === 'POST' && POST_ROUTES[path]) return POST_ROUTES[path];
  const allow = [GET_ROUTES[path] || captureMatch ? 'GET, HEAD' : '', POST_ROUTES[path] ? 'POST' : ''].filter(Boolean).join(', ');
  return { status: 405, reason: `${method} is not allowed; use ${allow.replace(', HEAD', '')}`, allow };
}

/**
 * Go's net/http/pprof for Node: `/debug/pprof/*` over node:http(s). Secure by default: loopback unless configured,
 * refused at start when exposed with neither token nor TLS, bearer token compared in constant time, Host-header check
 * against DNS rebinding, request timeouts and a cap on requests in flight. Like Go's net/http, a handler's failure is
 * recovered: answered 500 with the reason and counted through `reportError`, never thrown into the app.
 */
export async function startDebugServer(options: DebugServerOptions, deps: DebugServerDeps): Promise<DebugServer> {
  checkExposure({ address: options, token: options.token, tls: options.tls !== undefined, insecure: options.insecure ?? false });
  const maxSeconds = options.maxSeconds ?? 300;
  const maxInFlight = options.maxInFlight ?? 8;
  const limits: HttpLimits = {
    headersTimeoutMillis: options.headersTimeoutMillis ?? DEFAULT_HTTP_LIMITS.headersTimeoutMillis,
    bodyTimeoutMillis: options.bodyTimeoutMillis ?? DEFAULT_HTTP_LIMITS.bodyTimeoutMillis,
  };
  const ctx: Context = {
    profiler: deps.profiler,
    captures: deps.captures,
    triggers: deps.triggers,
    continuous: deps.profiler?.continuous ?? false,
    maxSeconds,
    bodyTimeoutMillis: limits.bodyTimeoutMillis,
    reportError: deps.reportError,
  };
  let inFlight = 0;
  let baseUrl = '';

  /** Answers 500 with the reason and counts it; a client that went away mid-answer is not a failure of Vigil's. */
  const recover = (res: ServerResponse, what: string) => (error: unknown) => {
    if (res.destroyed && !res.writableFinished) return deps.diag.debug(`${what}: the client went away (${String(error)})`);
    deps.reportError(error, what);
    sendError(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const noHost = missingHost(req);
    if (noHost !== undefined) return sendError(res, 400, noHost);
    if (!hostAllowed(req, options.host)) return sendError(res, 403, 'Host header not allowed: this listener answers loopback names only (DNS rebinding protection)');
    if (options.token !== undefined && !bearerMatches(req, options.token)) {
      return sendError(res, 401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer realm="vigil"' });
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://vigil.invalid');
    } catch {
      return sendError(res, 400, 'malformed request URL');
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const what = `${method} ${path.slice(0, 200)}`;
    if (path === '/debug/pprof/' || path === '/debug/pprof') {
      if (method !== 'GET' && method !== 'HEAD') return sendError(res, 405, `${method} is not allowed; use GET`, { allow: 'GET, HEAD' });
      const traceId = url.searchParams.get('trace_id') || undefined;
      if (traceId !== undefined && !isTraceId(traceId)) return sendError(res, 400, 'trace_id must be 32 lowercase hex characters');
      void indexPage(traceId).then((html) => sendText(res, html, 'text/html; charset=utf-8'), recover(res, what));
      return;
    }
    const handler = flameRoute(method, path) ?? route(method, path);
    if (typeof handler !== 'function') return sendError(res, handler.status, handler.reason, handler.allow ? { allow: handler.allow } : {});
    if (inFlight >= maxInFlight) return sendError(res, 503, `too many debug requests in flight (${maxInFlight}); retry later`, { 'retry-after': '5' });
    inFlight++;
    res.once('close', () => inFlight--);
    // Through an async function: a handler that throws before its first await is recovered like one that rejects.
    void (async () => handler(req, res, url.searchParams, ctx))().catch(recover(res, what));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    try {
      dispatch(req, res);
    } catch (error) {
      recover(res, `${req.method} ${String(req.url).slice(0, 200)}`)(error);
    }
  };

  const indexPage = async (traceId: string | undefined) => {
    const recent = deps.captures ? await deps.captures.store.list({ limit: 25, ...(traceId ? { traceId } : {}) }).catch(() => []) : [];
    return renderIndex(baseUrl, indexEntries(baseUrl, options.token !== undefined), indexNotes(deps.profiler), recent, { traceId, ...triggerFacts(deps.triggers) });
  };

  const timeouts = httpServerOptions(limits);
  const server: Server = options.tls
    ? createHttpsServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca, requestCert: options.tls.ca !== undefined, rejectUnauthorized: options.tls.ca !== undefined }, handle)
    : createHttpServer(timeouts, handle);
  server.maxHeadersCount = 64;
  const listening = await listen(server, options, {
    limits,
    what: 'debug server',
    reportError: deps.reportError,
    refuse: (reason, cause) =>
      new VigilError(ErrorCodes.DEBUG_LISTEN, `VIGIL_DEBUG_ADDR: cannot serve the debug endpoints on ${options.host}:${options.port}: ${reason}; expected a free port, or "off"`, { field: 'VIGIL_DEBUG_ADDR', value: `${options.host}:${options.port}`, cause }),
  });
  baseUrl = `${options.tls ? 'https' : 'http'}://${listening.authority}`;
  if (!isLoopback(options.host)) deps.diag.warn(`debug endpoints exposed on ${options.host}:${listening.port}${options.token ? ' (token required)' : ''}${options.tls ? ' over TLS' : ''}`);

  return { url: baseUrl, close: () => listening.close() };
}

function indexEntries(base: string, token: boolean): IndexEntry[] {
  const auth = token ? ' -http_header="Authorization: Bearer $VIGIL_DEBUG_TOKEN"' : '';
  const pprofCmd = (path: string) => `go tool pprof${auth} ${base}${path}`;
  return [
    { path: '/debug/pprof/profile?seconds=30', description: 'CPU profile: where the process spends CPU over the next N seconds (add lookback=N for the seconds before).', command: pprofCmd('/debug/pprof/profile?seconds=30'), flame: '/debug/vigil/flame?profile=cpu&seconds=10' },
    { path: '/debug/pprof/heap', description: 'In-use heap by allocation site, sampled (debug=1 for text).', command: pprofCmd('/debug/pprof/heap'), flame: '/debug/vigil/flame?profile=heap' },
    { path: '/debug/pprof/handles', description: 'Active handles and requests by type, with creation stacks when tracked (debug=1 for text): the answer to Go\u2019s goroutine profile.', command: pprofCmd('/debug/pprof/handles'), flame: '/debug/vigil/flame?profile=handles' },
    { path: '/debug/pprof/heapsnapshot', description: 'Full V8 heap snapshot for Chrome DevTools; opt-in (VIGIL_HEAP_SNAPSHOTS=on), pauses the process.' },
  ];
}

function indexNotes(profiler: ProfilerService | undefined): string[] {
  if (profiler === undefined) return ['The profiler is not running in this process; see the logs.'];
  const recorder = profiler.recorder();
  return [
    profiler.continuous
      ? `Continuous profiling is on: the flight recorder holds ${recorder.windows} windows (${Math.round(recorder.bytes / 1024)} KiB).`
      : 'Continuous profiling is off: each CPU capture starts the profiler for its duration.',
    `Span labels on CPU samples: ${profiler.labeler.mode}.`,
  ];
}

/** The rules in force and their latest firings (newest first), in words for the index. */
function triggerFacts(triggers: TriggersService | undefined): Pick<IndexExtras, 'rules' | 'firings'> {
  if (triggers === undefined) return {};
  const engine = triggers.engine;
  return {
    rules: engine.rules.map((r) => {
      const plan = r.capture;
      const parts = [plan.cpuMillis > 0 ? `cpu ${formatDuration(plan.cpuMillis)}${plan.lookbackMillis > 0 ? ` (+${formatDuration(plan.lookbackMillis)} before)` : ''}` : '', plan.heap ? 'heap' : '', plan.handles ? 'handles' : '', plan.heapsnapshot ? 'heap snapshot' : ''];
      return {
        name: r.name,
        metric: r.metric,
        condition: `${r.relative ? 'rises' : r.direction} ${r.thresholdText}${r.forMillis > 0 ? ` for ${formatDuration(r.forMillis)}` : ''}`,
        capture: parts.filter(Boolean).join(', ') || 'nothing',
        cooldown: formatDuration(r.cooldownMillis),
      };
    }),
    firings: [...engine.recent].reverse().slice(0, 10),
  };
}
