import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, VigilError } from '@vigil/core';
import { formatTop, topTable } from '@vigil/pprof';
import type { CaptureRecorder, ProfilerService } from '@vigil/profiler';
import { parseDebug, parseOptionalSeconds, parseSeconds } from '../query.ts';
import { sendBusy, sendError, sendProfile, sendText } from '../responses.ts';

export interface PprofContext {
  profiler: ProfilerService | undefined;
  captures: CaptureRecorder | undefined;
  maxSeconds: number;
  reportError(error: unknown, what: string): void;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: URLSearchParams, ctx: PprofContext) => Promise<void>;

/** Go's `seconds` default. */
const DEFAULT_SECONDS = 30;

export const profile: Handler = async (req, res, params, ctx) => {
  const seconds = parseSeconds(params, 'seconds', DEFAULT_SECONDS, ctx.maxSeconds);
  if (!seconds.ok) return sendError(res, 400, seconds.reason);
  const lookback = parseOptionalSeconds(params, 'lookback', ctx.maxSeconds);
  if (!lookback.ok) return sendError(res, 400, lookback.reason);
  const profiler = need(res, ctx);
  if (!profiler) return;
  if (lookback.value > 0 && !profiler.continuous) {
    return sendError(res, 400, 'lookback needs continuous profiling (VIGIL_PROFILING=on)');
  }
  const busy = profiler.cpuBusy();
  if (busy) return sendBusy(res, busy.id);

  // A client that goes away cancels its capture.
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  try {
    const request = { durationMillis: seconds.value * 1_000, lookbackMillis: lookback.value * 1_000, signal: abort.signal };
    if (ctx.captures !== undefined) {
      // Every CPU capture is stored, with its trace ids indexed.
      const stored = await ctx.captures.captureCpu({ ...request, reason: { kind: 'http' } });
      return sendProfile(res, stored.data, 'profile', { 'x-vigil-capture-id': stored.metadata.id });
    }
    const capture = await profiler.captureCpu(request);
    sendProfile(res, await profiler.encode(capture.profile), 'profile', { 'x-vigil-capture-id': capture.id });
  } catch (error) {
    if (error instanceof VigilError && error.code === ErrorCodes.PROFILER_CANCELED) return;
    if (error instanceof VigilError && error.code === ErrorCodes.PROFILER_BUSY) return sendBusy(res, String(error.value));
    throw error;
  } finally {
    res.off('close', onClose);
  }
};

export const heap: Handler = async (_req, res, params, ctx) => {
  const debug = parseDebug(params);
  if (!debug.ok) return sendError(res, 400, debug.reason);
  const profiler = need(res, ctx);
  if (!profiler) return;
  const heapProfile = await profiler.heapProfile();
  if (debug.value) return sendText(res, `heap profile: in-use space by allocation site (sampled)\n${formatTop(topTable(heapProfile, 'inuse_space'), 50)}`);
  sendProfile(res, await profiler.encode(heapProfile), 'heap');
};

export const handles: Handler = async (_req, res, params, ctx) => {
  const debug = parseDebug(params);
  if (!debug.ok) return sendError(res, 400, debug.reason);
  const profiler = need(res, ctx);
  if (!profiler) return;
  const handlesProfile = profiler.handlesProfile();
  if (debug.value) {
    const table = topTable(handlesProfile);
    const note = profiler.tracksHandles ? '' : ' (creation stacks: set VIGIL_TRACK_HANDLES=on)';
    return sendText(res, `handles profile: total ${table.total}${note}\n${formatTop(table, 100)}`);
  }
  sendProfile(res, await profiler.encode(handlesProfile), 'handles');
};

export const heapSnapshot: Handler = async (_req, res, params, ctx) => {
  if ([...params.keys()].length > 0) return sendError(res, 400, 'heapsnapshot takes no parameters');
  const profiler = need(res, ctx);
  if (!profiler) return;
  const refusal = profiler.heapSnapshotRefusal();
  if (refusal) return sendError(res, refusal.code === ErrorCodes.HEAP_SNAPSHOT_DISABLED ? 403 : 503, refusal.message);
  const stream = profiler.heapSnapshot();
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename="${process.pid}-${Date.now()}.heapsnapshot"`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  await new Promise<void>((resolve) => {
    stream.on('error', (error) => {
      ctx.reportError(error, 'heap snapshot stream');
      res.destroy();
      resolve();
    });
    res.on('close', resolve);
    stream.pipe(res);
  });
};

function need(res: ServerResponse, ctx: PprofContext): ProfilerService | undefined {
  if (ctx.profiler === undefined) sendError(res, 503, 'the profiler is not running in this process (see the logs for why)');
  return ctx.profiler;
}
