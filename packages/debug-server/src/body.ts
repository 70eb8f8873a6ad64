import type { IncomingMessage } from 'node:http';

/** The request body, or the status and one-line reason to answer instead. */
export type Body = { ok: true; data: Buffer } | { ok: false; status: 400 | 408 | 413; reason: string; close: boolean };

/**
 * Reads a request body of at most `maxBytes` within `deadlineMillis`. A client that trickles its body is answered 408
 * at the deadline (and the connection closed), so it holds an in-flight slot for that long at most. An oversized body
 * is answered 413 at once and the rest is drained by Node, not torn down, so the client reads the answer.
 */
export function readBody(req: IncomingMessage, maxBytes: number, deadlineMillis: number): Promise<Body> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve(tooLarge(maxBytes));
  }
  return new Promise<Body>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Body) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onCut).off('close', onClose);
      if (!body.ok) req.resume(); // drain (or let the deadline's close cut) what is left; never read it
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return done(tooLarge(maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => done({ ok: true, data: Buffer.concat(chunks) });
    const onCut = () => done({ ok: false, status: 400, reason: 'the request body was cut short', close: true });
    const onClose = () => {
      if (!req.complete) onCut();
    };
    const timer = setTimeout(
      () =>
        done({
          ok: false,
          status: 408,
          reason: `the request body did not arrive within ${deadlineMillis / 1000} s`,
          close: true,
        }),
      deadlineMillis,
    );
    timer.unref();
    req.on('data', onData).on('end', onEnd).on('error', onCut).on('close', onClose);
  });
}

function tooLarge(maxBytes: number): Body {
  return { ok: false, status: 413, reason: `the request body is over ${maxBytes} bytes`, close: false };
}
