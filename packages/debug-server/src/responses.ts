import type { ServerResponse } from 'node:http';

/** Every answer, error or not: never cached (profiles and capture lists describe one moment of one process). */
const COMMON = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

/** Every error is text/plain with a one-line reason. */
export function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${reason.replace(/[\r\n]+/g, ' ')}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    ...COMMON,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** 409: the one CPU capture in progress, named in the body and in `X-Vigil-Capture-Id`, the same on every route. */
export function sendBusy(res: ServerResponse, runningId: string): void {
  sendError(res, 409, `a CPU capture is already in progress: ${runningId}`, { 'x-vigil-capture-id': runningId });
}

export function sendText(res: ServerResponse, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(200, { 'content-type': contentType, ...COMMON, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    ...COMMON,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A binary profile: an attachment, never sniffed or cached, as Go's net/http/pprof serves it. */
export function sendProfile(
  res: ServerResponse,
  body: Buffer,
  filename: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename="${filename}"`,
    ...COMMON,
    'content-length': String(body.length),
    ...extra,
  });
  res.end(body);
}
