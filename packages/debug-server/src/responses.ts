import type { ServerResponse } from 'node:http';

/** Every error is text/plain with a one-line reason. */
export function sendError(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const line = reason.replace(/[\r\n]+/g, ' ');
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
  res.end(`${line}\n`);
}

export function sendText(res: ServerResponse, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(200, { 'content-type': contentType, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(body);
}

/** A binary profile: an attachment, never sniffed or cached, as Go's net/http/pprof serves it. */
export function sendProfile(res: ServerResponse, body: Buffer, filename: string, extra: Record<string, string> = {}): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename="${filename}"`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'content-length': String(body.length),
    ...extra,
  });
  res.end(body);
}
