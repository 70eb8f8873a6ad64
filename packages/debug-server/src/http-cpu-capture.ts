import type { ServerResponse } from 'node:http';
import { ErrorCodes, VigilError } from '@vigil/core';
import type { CaptureRecorder, CpuCaptureResult, ProfilerService, StoredCapture } from '@vigil/profiler';
import { parseOptionalSeconds, parseSeconds } from './query.ts';
import { sendBusy, sendError } from './responses.ts';

export interface HttpCaptureContext {
  profiler: ProfilerService | undefined;
  captures: CaptureRecorder | undefined;
  maxSeconds: number;
}

/** A capture stored (with a store), or only taken (without one). */
export type HttpCpuCapture = { stored: StoredCapture } | { taken: CpuCaptureResult; profiler: ProfilerService };

/**
 * A CPU capture asked for by a GET (`seconds`, `lookback`), as Go's `profile` endpoint takes one: bad parameters are a
 * 400, a busy profiler a 409 naming the capture in progress, and a client that goes away cancels it. Stored when
 * there is a store (every CPU capture is). Undefined when it has answered the request itself.
 */
export async function httpCpuCapture(
  res: ServerResponse,
  params: URLSearchParams,
  ctx: HttpCaptureContext,
  defaultSeconds: number,
): Promise<HttpCpuCapture | undefined> {
  const seconds = parseSeconds(params, 'seconds', defaultSeconds, ctx.maxSeconds);
  if (!seconds.ok) return void sendError(res, 400, seconds.reason);
  const lookback = parseOptionalSeconds(params, 'lookback', ctx.maxSeconds);
  if (!lookback.ok) return void sendError(res, 400, lookback.reason);
  const profiler = ctx.profiler;
  if (profiler === undefined)
    return void sendError(res, 503, 'the profiler is not running in this process (see the logs for why)');
  if (lookback.value > 0 && !profiler.continuous)
    return void sendError(res, 400, 'lookback needs continuous profiling (VIGIL_PROFILING=on)');
  const busy = profiler.cpuBusy();
  if (busy) return void sendBusy(res, busy.id);

  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  try {
    const request = {
      durationMillis: seconds.value * 1_000,
      lookbackMillis: lookback.value * 1_000,
      signal: abort.signal,
    };
    if (ctx.captures !== undefined)
      return { stored: await ctx.captures.captureCpu({ ...request, reason: { kind: 'http' } }) };
    return { taken: await profiler.captureCpu(request), profiler };
  } catch (error) {
    if (error instanceof VigilError && error.code === ErrorCodes.PROFILER_CANCELED) return undefined;
    if (error instanceof VigilError && error.code === ErrorCodes.PROFILER_BUSY)
      return void sendBusy(res, String(error.value));
    throw error;
  } finally {
    res.off('close', onClose);
  }
}
