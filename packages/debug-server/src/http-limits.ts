import { STATUS_CODES, type IncomingMessage, type Server, type ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a client may take to send its request; both of Vigil's servers use them. */
export interface HttpLimits {
  /** From the connection (or the end of the previous answer) to the last header line. */
  headersTimeoutMillis: number;
  /** From the handler's first read of the body to its last byte. */
  bodyTimeoutMillis: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  headersTimeoutMillis: 10_000,
  bodyTimeoutMillis: 10_000,
});

/** Node's own cap on the request line plus headers (its default): over it the request is answered 431. */
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * `createServer` options whose timeouts mean what they say. Node checks `headersTimeout` and `requestTimeout` only every
 * `connectionsCheckingInterval` (30 s by default), which is how "headers within 10 s" became a cut at 33.7 s: check at
 * a quarter of the headers timeout, at most every second. `requestTimeout` ends once the request has arrived (never
 * during a long answer such as a 300 s profile): headers plus body, a backstop behind the handler's body deadline.
 */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMillis,
    requestTimeout: limits.headersTimeoutMillis + limits.bodyTimeoutMillis,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMillis / 4))),
    maxHeaderSize: MAX_HEADER_BYTES,
    // Node would answer a missing Host with a bare 400 of its own; the handlers answer it with the reason instead.
    requireHostHeader: false,
  };
}

/** HTTP/1.1 requires a Host header (RFC 9112, 3.2): the reason to refuse a request without one, if it has none. */
export function missingHost(req: IncomingMessage): string | undefined {
  if (req.httpVersion === '1.1' && req.headers.host === undefined) return 'a Host header is required (HTTP/1.1)';
  return undefined;
}

/** A whole HTTP/1.1 answer, for a socket with no response object (a request Node refused before any handler ran). */
export function rawAnswer(status: number, reason: string): string {
  const body = `${reason.replace(/[\r\n]+/g, ' ')}\n`;
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: text/plain; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'x-content-type-options: nosniff',
    'cache-control: no-store',
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * What Node answers by itself (malformed requests, oversized headers, timeouts, CONNECT) gets a one-line reason and
 * `no-store` like every other answer, instead of Node's bare status line or a silently dropped socket.
 */
export function answerProtocolErrors(server: Server, limits: HttpLimits): void {
  const lingering = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    // Node's failed parser reports each further chunk of a lingering connection again: that is the drain at work.
    if (lingering.has(socket)) return;
    const answer = protocolAnswer(error, limits);
    const pending = (socket as Duplex & { _httpMessage?: { headersSent: boolean } })._httpMessage;
    if (answer === undefined || !socket.writable || pending?.headersSent === true) socket.destroy();
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
      socket.end(rawAnswer(answer.status, answer.reason)); // a slow client: no wait for it
    else {
      lingering.add(socket);
      endLingering(socket, rawAnswer(answer.status, answer.reason));
    }
  });
  server.on('connect', (_req, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    endLingering(socket, rawAnswer(405, 'CONNECT is not allowed: this server is not a proxy'));
  });
}

/** How long a refused connection is drained after its answer, at most (Go's net/http waits 500 ms). */
const LINGER_MILLIS = 2_000;

/**
 * Answers and closes in stages (RFC 9112, 9.6): the answer and a FIN first, then the client's bytes still arriving
 * (the rest of an oversized header block) are read and dropped until the client closes or `LINGER_MILLIS` pass.
 * Closing at once would leave them unread, and the kernel would answer them with a reset that can destroy the
 * answer in the client's buffer before it reads it.
 */
function endLingering(socket: Duplex, answer: string): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MILLIS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end(answer);
  socket.resume();
}

function protocolAnswer(
  error: NodeJS.ErrnoException & { reason?: string },
  limits: HttpLimits,
): { status: number; reason: string } | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined; // the client is gone: nobody to answer
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: `the request line and headers are over ${MAX_HEADER_BYTES / 1024} KiB` };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: `the request did not arrive in time (headers within ${limits.headersTimeoutMillis / 1000} s, body within ${limits.bodyTimeoutMillis / 1000} s)`,
      };
    default:
      return { status: 400, reason: `malformed HTTP request: ${(error.reason ?? error.message).slice(0, 120)}` };
  }
}
