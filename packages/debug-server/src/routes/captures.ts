import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, VigilError } from '@vigil/core';
import { filterByLabel } from '@vigil/pprof';
import type { CaptureRecorder } from '@vigil/profiler';
import { REASON_KINDS, isTraceId, type CaptureFilter, type CaptureReason, type CaptureType } from '@vigil/store';
import { readBody } from '../body.ts';
import { parseSeconds } from '../query.ts';
import { sendBusy, sendError, sendJson, sendProfile } from '../responses.ts';
import { storedCapture, storedProfile } from '../stored-capture.ts';

export interface CapturesContext {
  captures: CaptureRecorder | undefined;
  continuous: boolean;
  maxSeconds: number;
  bodyTimeoutMillis: number;
  reportError(error: unknown, what: string): void;
}

const TYPES: readonly CaptureType[] = ['cpu', 'heap', 'handles', 'heapsnapshot'];
const SPAN_ID = /^[0-9a-f]{16}$/;
const MAX_BODY = 16 * 1024;

/** GET /debug/vigil/captures: the stored captures as JSON, newest first, filtered. */
export async function listCaptures(
  _req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  ctx: CapturesContext,
): Promise<void> {
  const captures = needStore(res, ctx);
  if (!captures) return;
  const filter: CaptureFilter = {};
  for (const [key, value] of params) {
    switch (key) {
      case 'trace_id':
        if (!isTraceId(value)) return sendError(res, 400, 'trace_id must be 32 lowercase hex characters');
        filter.traceId = value;
        break;
      case 'span_id':
        if (!SPAN_ID.test(value)) return sendError(res, 400, 'span_id must be 16 lowercase hex characters');
        filter.spanId = value;
        break;
      case 'rule':
        filter.rule = value;
        break;
      case 'reason':
        if (!(REASON_KINDS as readonly string[]).includes(value))
          return sendError(res, 400, `reason must be one of ${REASON_KINDS.join(', ')}`);
        filter.reason = value as CaptureReason['kind'];
        break;
      case 'type':
        if (!(TYPES as readonly string[]).includes(value))
          return sendError(res, 400, `type must be one of ${TYPES.join(', ')}`);
        filter.type = value as CaptureType;
        break;
      case 'since':
      case 'until': {
        const at = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
        if (!Number.isFinite(at)) return sendError(res, 400, `${key} must be an ISO time or epoch milliseconds`);
        filter[key] = at;
        break;
      }
      case 'limit': {
        const limit = Number(value);
        if (!/^\d+$/.test(value) || limit < 1 || limit > 1000)
          return sendError(res, 400, 'limit must be a whole number from 1 to 1000');
        filter.limit = limit;
        break;
      }
      default:
        return sendError(
          res,
          400,
          `unknown parameter ${key.slice(0, 50)}; use trace_id, span_id, rule, reason, type, since, until, limit`,
        );
    }
  }
  sendJson(res, 200, { captures: await captures.store.list(filter) });
}

/** GET /debug/vigil/captures/{id}[?trace_id=]: the capture's data; with trace_id, only that trace's samples. */
export async function getCapture(
  _req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  ctx: CapturesContext,
  id: string,
): Promise<void> {
  const captures = needStore(res, ctx);
  if (!captures) return;
  const traceId = params.get('trace_id');
  for (const key of params.keys())
    if (key !== 'trace_id') return sendError(res, 400, `unknown parameter ${key.slice(0, 50)}; use trace_id`);
  if (traceId !== null && !isTraceId(traceId))
    return sendError(res, 400, 'trace_id must be 32 lowercase hex characters');
  const stored = await storedCapture(res, captures, id);
  if (stored === undefined) return;
  if (traceId === null)
    return sendProfile(
      res,
      stored.data,
      `${id}${stored.metadata.format === 'heapsnapshot' ? '.heapsnapshot' : '.pb.gz'}`,
    );
  if (stored.metadata.type !== 'cpu')
    return sendError(res, 400, `trace_id filters CPU captures; ${id} is a ${stored.metadata.type} capture`);
  const profile = await storedProfile(res, id, stored.data);
  if (profile === undefined) return;
  const filtered = filterByLabel(profile, 'trace_id', traceId);
  if (filtered.sample.length === 0) return sendError(res, 404, `capture ${id} has no samples of trace ${traceId}`);
  sendProfile(res, Buffer.from(filtered.encode()), `${id}-${traceId}.pb`, {
    'x-vigil-samples': String(filtered.sample.length),
  });
}

/** POST /debug/vigil/captures {"type":"cpu","seconds":10,"lookback":5}: capture now; 202 with the id. */
export async function postCapture(
  req: IncomingMessage,
  res: ServerResponse,
  _params: URLSearchParams,
  ctx: CapturesContext,
): Promise<void> {
  const captures = needStore(res, ctx);
  if (!captures) return;
  const body = await readBody(req, MAX_BODY, ctx.bodyTimeoutMillis);
  if (!body.ok) return sendError(res, body.status, body.reason, body.close ? { connection: 'close' } : {});
  let request: Record<string, unknown>;
  try {
    const parsed: unknown = body.data.length === 0 ? {} : JSON.parse(body.data.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    request = parsed as Record<string, unknown>;
  } catch {
    return sendError(res, 400, 'the body must be a JSON object such as {"type":"cpu","seconds":10}');
  }
  const unknown = Object.keys(request).find((k) => !['type', 'seconds', 'lookback'].includes(k));
  if (unknown !== undefined)
    return sendError(res, 400, `unknown field ${unknown.slice(0, 50)}; use type, seconds, lookback`);
  const type = request.type ?? 'cpu';
  const reason = { kind: 'manual' as const };
  if (type === 'heap' || type === 'handles') {
    const stored = type === 'heap' ? await captures.captureHeap(reason) : await captures.captureHandles(reason);
    return accepted(res, stored.metadata.id, 'stored');
  }
  if (type !== 'cpu') return sendError(res, 400, 'type must be "cpu", "heap" or "handles"');
  const asParams = new URLSearchParams();
  for (const key of ['seconds', 'lookback'] as const) {
    if (request[key] === undefined) continue;
    if (typeof request[key] !== 'number') return sendError(res, 400, `${key} must be a number of seconds`);
    asParams.set(key, String(request[key]));
  }
  const seconds = parseSeconds(asParams, 'seconds', 10, ctx.maxSeconds);
  if (!seconds.ok) return sendError(res, 400, seconds.reason);
  const lookback = asParams.has('lookback')
    ? parseSeconds(asParams, 'lookback', 0, ctx.maxSeconds)
    : ({ ok: true, value: 0 } as const);
  if (!lookback.ok) return sendError(res, 400, lookback.reason);
  if (lookback.value > 0 && !ctx.continuous)
    return sendError(res, 400, 'lookback needs continuous profiling (VIGIL_PROFILING=on)');

  // The capture outlives the request: answer as soon as it has started (the recorder calls onStart only for a capture
  // that holds the profiler; a refused one rejects with PROFILER_BUSY naming the capture that does).
  let answered = false;
  captures
    .captureCpu({
      durationMillis: seconds.value * 1_000,
      lookbackMillis: lookback.value * 1_000,
      reason,
      onStart: (id) => {
        answered = true;
        accepted(res, id, 'capturing', seconds.value);
      },
    })
    .catch((error: unknown) => {
      if (!answered && error instanceof VigilError && error.code === ErrorCodes.PROFILER_BUSY)
        return sendBusy(res, String(error.value));
      ctx.reportError(error, 'a capture asked for over HTTP');
      if (!answered) sendError(res, 500, `capture failed: ${error instanceof Error ? error.message : String(error)}`);
    });
}

function accepted(res: ServerResponse, id: string, status: string, seconds?: number): void {
  sendJson(
    res,
    202,
    { id, status, ...(seconds === undefined ? {} : { seconds }) },
    { location: `/debug/vigil/captures/${id}`, 'x-vigil-capture-id': id },
  );
}

function needStore(res: ServerResponse, ctx: CapturesContext): CaptureRecorder | undefined {
  if (ctx.captures === undefined)
    sendError(res, 503, 'captures are not available: the profiler or the store is not running (see the logs)');
  return ctx.captures;
}
