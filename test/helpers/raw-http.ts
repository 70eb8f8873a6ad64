import { connect, type Socket } from 'node:net';

/** An answer read off a raw socket: what a server sends for bytes that fetch would never send. */
export interface RawAnswer {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** From connecting to the server closing (or answering, with `keepOpen`), ms. */
  millis: number;
}

export interface RawOptions {
  /** Bytes sent after the first write, one chunk every `trickleMillis`, until the server closes. */
  trickle?: string;
  trickleMillis?: number;
  /** Give up after this, ms (the answer then has status 0 and `millis` = the limit). */
  timeoutMillis?: number;
}

/**
 * Sends `request` byte for byte on a fresh TCP connection and reads until the server closes it (every answer Vigil
 * gives to a malformed or timed-out request closes the connection; send `connection: close` for the others).
 */
export function rawRequest(port: number, request: string | Buffer, options: RawOptions = {}): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let trickle: NodeJS.Timeout | undefined;
    const finish = () => {
      clearInterval(trickle);
      clearTimeout(limit);
      socket.destroy();
      resolve(parse(Buffer.concat(chunks).toString('latin1'), Date.now() - started));
    };
    const limit = setTimeout(finish, options.timeoutMillis ?? 30_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', () => {}); // a reset is an answer too: the close handler reports what arrived
    socket.once('connect', () => {
      if (request.length > 0) socket.write(request);
      if (options.trickle !== undefined) {
        trickle = setInterval(() => {
          if (socket.writable) socket.write(options.trickle!);
        }, options.trickleMillis ?? 100);
      }
    });
  });
}

function parse(raw: string, millis: number): RawAnswer {
  const text = raw.replace(/^(?:HTTP\/1\.[01] 1\d\d[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/, ''); // interim answers (100 Continue)
  const match = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
  if (!match) return { status: 0, headers: {}, body: text, millis };
  const headers: Record<string, string> = {};
  for (const line of match[2]!.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(match[1]), headers, body: match[3]!, millis };
}
