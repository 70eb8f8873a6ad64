import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '@vigil/core';
import { formatTop, topTable } from '@vigil/pprof';
import type { CaptureRecorder, ProfilerService } from '@vigil/profiler';
import { httpCpuCapture } from '../http-cpu-capture.ts';
import { parseDebug } from '../query.ts';
import { sendError, sendProfile, sendText } from '../responses.ts';

export interface PprofContext {
  profiler: ProfilerService | undefined;
  captures: CaptureRecorder | undefined;
  maxSeconds: number;
  reportError(error: unknown, what: string): void;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: URLSearchParams, ctx: PprofContext) => Promise<void>;

/** Go's `seconds` default. */
const DEFAULT_SECONDS = 30;

export const profile: Handler = async (_req, res, params, ctx) => {
  const result = await httpCpuCapture(res, params, ctx, DEFAULT_SECONDS);
  if (result === undefined) return;
  if ('stored' in result)
    return sendProfile(res, result.stored.data, 'profile', { 'x-vigil-capture-id': result.stored.metadata.id });
  sendProfile(res, await result.profiler.encode(result.taken.profile), 'profile', {
    'x-vigil-capture-id': result.taken.id,
  });
};

export const heap: Handler = async (_req, res, params, ctx) => {
  const debug = parseDebug(params);
  if (!debug.ok) return sendError(res, 400, debug.reason);
  const profiler = need(res, ctx);
  if (!profiler) return;
  const heapProfile = await profiler.heapProfile();
  if (debug.value)
    return sendText(
      res,
      `heap profile: in-use space by allocation site (sampled)\n${formatTop(topTable(heapProfile, 'inuse_space'), 50)}`,
    );
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
  if (ctx.profiler === undefined)
    sendError(res, 503, 'the profiler is not running in this process (see the logs for why)');
  return ctx.profiler;
}
