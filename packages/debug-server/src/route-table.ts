import type { IncomingMessage, ServerResponse } from 'node:http';
import * as capturesRoutes from './routes/captures.ts';
import { flameRoute } from './routes/flame.ts';
import * as pprof from './routes/pprof.ts';
import * as triggersRoutes from './routes/triggers.ts';
import { decodeSegment } from './path-segment.ts';

/** What every route handler is given: the services it answers from and the server's limits. */
export type RouteContext = pprof.PprofContext & capturesRoutes.CapturesContext & triggersRoutes.TriggersContext;
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  ctx: RouteContext,
) => Promise<void>;
/** The status and one-line reason to answer when no handler serves a method and path. */
export interface Refusal {
  status: number;
  reason: string;
  allow?: string;
}

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

/** The path of the index page (`GET /debug/pprof/`), which the server answers itself. */
export function isIndexPath(path: string): boolean {
  return path === '/debug/pprof/' || path === '/debug/pprof';
}

/** The handler for a method and path (the flame pages' routes first), or the status and reason to answer instead. */
export function route(method: string, path: string): Handler | Refusal {
  return flameRoute(method, path) ?? tableRoute(method, path);
}

function tableRoute(method: string, path: string): Handler | Refusal {
  const captureMatch = CAPTURE_PATH.exec(path);
  const known = GET_ROUTES[path] !== undefined || POST_ROUTES[path] !== undefined || captureMatch !== null;
  if (!known) return { status: 404, reason: `no such endpoint: ${path.slice(0, 200)}; see /debug/pprof/` };
  if (method === 'GET' || method === 'HEAD') {
    if (captureMatch) {
      const id = decodeSegment(captureMatch[1]!);
      if (id === undefined)
        return { status: 400, reason: `malformed percent-encoding in the path: ${path.slice(0, 200)}` };
      return (req, res, params, ctx) => capturesRoutes.getCapture(req, res, params, ctx, id);
    }
    const handler = GET_ROUTES[path];
    if (handler) return handler;
  }
  if (method === 'POST' && POST_ROUTES[path]) return POST_ROUTES[path];
  const allow = [GET_ROUTES[path] || captureMatch ? 'GET, HEAD' : '', POST_ROUTES[path] ? 'POST' : '']
    .filter(Boolean)
    .join(', ');
  return { status: 405, reason: `${method} is not allowed; use ${allow.replace(', HEAD', '')}`, allow };
}
