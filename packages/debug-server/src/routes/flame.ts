import type { IncomingMessage, ServerResponse } from 'node:http';
import { filterByLabel, flameGraphs } from '@vigil/pprof';
import type { CaptureRecorder, ProfilerService } from '@vigil/profiler';
import { isTraceId } from '@vigil/store';
import { flameAsset, speedscopeAsset, type StaticAsset } from '../flame-assets.ts';
import { renderFlamePage, type FlamePageModel } from '../flame-page.ts';
import { httpCpuCapture } from '../http-cpu-capture.ts';
import { sendError, sendJson } from '../responses.ts';
import { storedCapture, storedProfile } from '../stored-capture.ts';
import { decodeSegment } from '../path-segment.ts';

export interface FlameContext {
  profiler: ProfilerService | undefined;
  captures: CaptureRecorder | undefined;
  maxSeconds: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: URLSearchParams, ctx: FlameContext) => Promise<void>;

const CAPTURE_SUBPATH = /^\/debug\/vigil\/captures\/([^/]+)\/(flame|metadata)$/;
const ASSET_PATH = /^\/debug\/vigil\/assets\/([\w.-]+)$/;
const SPEEDSCOPE_PATH = /^\/debug\/vigil\/speedscope\/([\w.-]*)$/;

/**
 * Routes of the flame pages, or undefined when the path is not one of them: a capture's flame page and metadata, the
 * live profiles' flame page, and the static files they load (d3, d3-flame-graph, speedscope's offline build).
 */
export function flameRoute(
  method: string,
  path: string,
): Handler | { status: number; reason: string; allow: string } | undefined {
  let handler: Handler | undefined;
  const sub = CAPTURE_SUBPATH.exec(path);
  const asset = ASSET_PATH.exec(path);
  const speedscope = SPEEDSCOPE_PATH.exec(path);
  if (sub) {
    const id = decodeSegment(sub[1]!);
    if (id === undefined)
      return { status: 400, reason: `malformed percent-encoding in the path: ${path.slice(0, 200)}`, allow: '' };
    handler =
      sub[2] === 'flame'
        ? (req, res, params, ctx) => captureFlame(res, params, ctx, id)
        : (req, res, params, ctx) => captureMetadata(res, params, ctx, id);
  } else if (path === '/debug/vigil/flame') handler = liveFlame;
  else if (asset) handler = async (_req, res) => sendAsset(res, flameAsset(asset[1]!), PAGE_ASSET_CSP);
  else if (speedscope)
    handler = async (_req, res) => sendAsset(res, speedscopeAsset(speedscope[1] || 'index.html'), SPEEDSCOPE_CSP);
  if (handler === undefined) return undefined;
  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, reason: `${method} is not allowed; use GET`, allow: 'GET, HEAD' };
  return handler;
}

/** GET /debug/vigil/captures/{id}/flame[?trace_id=]: the capture as a flame graph page. */
async function captureFlame(
  res: ServerResponse,
  params: URLSearchParams,
  ctx: FlameContext,
  id: string,
): Promise<void> {
  const captures = needStore(res, ctx);
  if (!captures) return;
  const traceId = traceParam(res, params);
  if (traceId === false) return;
  const stored = await storedCapture(res, captures, id);
  if (stored === undefined) return;
  const { metadata } = stored;
  if (metadata.format !== 'pprof')
    return sendError(
      res,
      400,
      `${id} is a V8 heap snapshot: open it in Chrome DevTools (Memory tab), not as a flame graph`,
    );
  let profile = await storedProfile(res, id, stored.data);
  if (profile === undefined) return;
  if (traceId !== undefined) {
    if (metadata.type !== 'cpu')
      return sendError(res, 400, `trace_id filters CPU captures; ${id} is a ${metadata.type} capture`);
    profile = filterByLabel(profile, 'trace_id', traceId);
    if (profile.sample.length === 0) return sendError(res, 404, `capture ${id} has no samples of trace ${traceId}`);
  }
  const self = `/debug/vigil/captures/${encodeURIComponent(id)}`;
  const pprof = `${self}${traceId ? `?trace_id=${traceId}` : ''}`;
  sendPage(res, {
    title: id,
    graphs: flameGraphs(profile),
    capture: metadata,
    traceId,
    links: {
      pprof,
      pprofName: `${id}${traceId ? `-${traceId}` : ''}.pb.gz`,
      speedscope: speedscopeLink(pprof, traceId ? `${id} (trace ${traceId})` : id),
      unfiltered: `${self}/flame`,
      index: '/debug/pprof/',
    },
  });
}

/** GET /debug/vigil/captures/{id}/metadata: the capture's metadata JSON (what `vigil top ID` shows "what changed" from). */
async function captureMetadata(
  res: ServerResponse,
  params: URLSearchParams,
  ctx: FlameContext,
  id: string,
): Promise<void> {
  const captures = needStore(res, ctx);
  if (!captures) return;
  for (const key of params.keys())
    return sendError(res, 400, `unknown parameter ${key.slice(0, 50)}; metadata takes none`);
  const metadata = await captures.store.metadata(id);
  if (metadata === undefined) return sendError(res, 404, `no capture ${id.slice(0, 64)} in ${captures.store.location}`);
  sendJson(res, 200, metadata);
}

const LIVE = ['cpu', 'heap', 'handles'] as const;

/**
 * GET /debug/vigil/flame?profile=heap|handles|cpu[&seconds=N][&lookback=M]: a live profile as a flame graph. A CPU
 * profile is captured (and stored, as every CPU capture is) and answered with its capture's page.
 */
async function liveFlame(
  _req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  ctx: FlameContext,
): Promise<void> {
  const kind = params.get('profile') ?? 'cpu';
  if (!(LIVE as readonly string[]).includes(kind))
    return sendError(res, 400, `profile must be one of ${LIVE.join(', ')}`);
  for (const key of params.keys()) {
    if (!['profile', 'seconds', 'lookback'].includes(key))
      return sendError(res, 400, `unknown parameter ${key.slice(0, 50)}; use profile, seconds, lookback`);
  }
  const profiler = ctx.profiler;
  if (profiler === undefined)
    return sendError(res, 503, 'the profiler is not running in this process (see the logs for why)');
  if (kind !== 'cpu') {
    const profile = kind === 'heap' ? await profiler.heapProfile() : profiler.handlesProfile();
    const pprof = `/debug/pprof/${kind}`;
    return sendPage(res, {
      title: `live ${kind} profile (pid ${process.pid})`,
      graphs: flameGraphs(profile),
      links: {
        pprof,
        pprofName: `${kind}.pb.gz`,
        speedscope: speedscopeLink(pprof, `${kind} (pid ${process.pid})`),
        index: '/debug/pprof/',
      },
    });
  }
  const result = await httpCpuCapture(res, params, ctx, 10);
  if (result === undefined) return;
  if ('stored' in result) {
    res.writeHead(303, {
      location: `/debug/vigil/captures/${encodeURIComponent(result.stored.metadata.id)}/flame`,
      'cache-control': 'no-store',
      'content-type': 'text/plain; charset=utf-8',
    });
    res.end(`captured ${result.stored.metadata.id}\n`);
    return;
  }
  sendPage(res, {
    title: `live CPU profile ${result.taken.id} (not stored: no capture store)`,
    graphs: flameGraphs(result.taken.profile),
    links: { index: '/debug/pprof/' },
  });
}

function speedscopeLink(pprof: string, title: string): string {
  return `/debug/vigil/speedscope/index.html#profileURL=${encodeURIComponent(pprof)}&title=${encodeURIComponent(title)}`;
}

/** The trace_id parameter (the only one a capture's page takes): a trace id, undefined, or false once answered 400. */
function traceParam(res: ServerResponse, params: URLSearchParams): string | undefined | false {
  for (const key of params.keys()) {
    if (key !== 'trace_id') {
      sendError(res, 400, `unknown parameter ${key.slice(0, 50)}; use trace_id`);
      return false;
    }
  }
  const traceId = params.get('trace_id');
  if (traceId === null || traceId === '') return undefined;
  if (!isTraceId(traceId)) {
    sendError(res, 400, 'trace_id must be 32 lowercase hex characters');
    return false;
  }
  return traceId;
}

function sendPage(res: ServerResponse, model: FlamePageModel): void {
  const { html, csp } = renderFlamePage(model, 'served');
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(html);
}

/** The flame page's own files: nothing they load may come from anywhere else. */
const PAGE_ASSET_CSP = "default-src 'none'; frame-ancestors 'none'";
/** speedscope's build styles itself at run time (inline styles) and fetches the profile from this server only. */
const SPEEDSCOPE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sendAsset(res: ServerResponse, asset: StaticAsset | undefined, csp: string): void {
  if (asset === undefined) return sendError(res, 404, 'no such file');
  res.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': String(asset.body.length),
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(asset.body);
}

function needStore(res: ServerResponse, ctx: FlameContext): CaptureRecorder | undefined {
  if (ctx.captures === undefined)
    sendError(res, 503, 'captures are not available: the profiler or the store is not running (see the logs)');
  return ctx.captures;
}
