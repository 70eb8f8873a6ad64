import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DiagLogger } from '@opentelemetry/api';
import { isTraceId } from '@vigil/store';
import { missingHost } from './http-limits.ts';
import { isIndexPath, route, type RouteContext } from './route-table.ts';
import { indexHtml, type IndexContext } from './routes/pprof-index.ts';
import { sendError, sendText } from './responses.ts';
import { bearerMatches, hostAllowed } from './security.ts';

export interface RequestHandlerSettings {
  /** The address listened on: a loopback listener answers loopback Host names only. */
  listenHost: string;
  token: string | undefined;
  maxInFlight: number;
  diag: DiagLogger;
  reportError(error: unknown, what: string): void;
}

/**
 * Every request, in order: Host present and allowed, bearer token, then the index page or a route, with a cap on
 * requests in flight. Like Go's net/http, a handler's failure is recovered: answered 500 with the reason and counted
 * through `reportError`, never thrown into the app.
 */
export function requestHandler(
  settings: RequestHandlerSettings,
  ctx: RouteContext,
  index: IndexContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  let inFlight = 0;

  /** Answers 500 with the reason and counts it; a client that went away mid-answer is not a failure of Vigil's. */
  const recover = (res: ServerResponse, what: string) => (error: unknown) => {
    if (res.destroyed && !res.writableFinished)
      return settings.diag.debug(`${what}: the client went away (${String(error)})`);
    settings.reportError(error, what);
    sendError(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
  };

  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const noHost = missingHost(req);
    if (noHost !== undefined) return sendError(res, 400, noHost);
    if (!hostAllowed(req, settings.listenHost))
      return sendError(
        res,
        403,
        'Host header not allowed: this listener answers loopback names only (DNS rebinding protection)',
      );
    if (settings.token !== undefined && !bearerMatches(req, settings.token)) {
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
    if (isIndexPath(path)) {
      if (method !== 'GET' && method !== 'HEAD')
        return sendError(res, 405, `${method} is not allowed; use GET`, { allow: 'GET, HEAD' });
      const traceId = url.searchParams.get('trace_id') || undefined;
      if (traceId !== undefined && !isTraceId(traceId))
        return sendError(res, 400, 'trace_id must be 32 lowercase hex characters');
      void indexHtml(index, traceId).then(
        (html) => sendText(res, html, 'text/html; charset=utf-8'),
        recover(res, what),
      );
      return;
    }
    const handler = route(method, path);
    if (typeof handler !== 'function')
      return sendError(res, handler.status, handler.reason, handler.allow ? { allow: handler.allow } : {});
    if (inFlight >= settings.maxInFlight)
      return sendError(res, 503, `too many debug requests in flight (${settings.maxInFlight}); retry later`, {
        'retry-after': '5',
      });
    inFlight++;
    res.once('close', () => inFlight--);
    // Through an async function: a handler that throws before its first await is recovered like one that rejects.
    void (async () => handler(req, res, url.searchParams, ctx))().catch(recover(res, what));
  };

  return (req, res) => {
    try {
      dispatch(req, res);
    } catch (error) {
      recover(res, `${req.method} ${String(req.url).slice(0, 200)}`)(error);
    }
  };
}
