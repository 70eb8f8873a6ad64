import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS, httpServerOptions, listen, type ListeningServer } from '@vigil/debug-server';

// The HTTP plumbing both of Vigil's servers share (`listen` adds the protocol-error answers), on a bare server.
let listening: ListeningServer;

beforeAll(async () => {
  const server = createServer(httpServerOptions(DEFAULT_HTTP_LIMITS), (_req, res) => res.end('ok\n'));
  listening = await listen(
    server,
    { host: '127.0.0.1', port: 0 },
    { limits: DEFAULT_HTTP_LIMITS, what: 'test server', refuse: (reason) => new Error(reason) },
  );
});
afterAll(() => listening?.close());

interface Outcome {
  received: string;
  /** How the connection ended for the client: a clean close, or the error it got. */
  ended: 'closed' | string;
  millis: number;
}

/** Opens a connection, lets `send` write to it, and collects what comes back until the connection ends. */
function exchange(send: (socket: Socket) => void, { halfOpen = false } = {}): Promise<Outcome> {
  const deadlineMillis = 10_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ port: listening.port, host: '127.0.0.1', allowHalfOpen: halfOpen });
    let received = '';
    let settled = false;
    const settle = (ended: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve({ received, ended, millis: performance.now() - started });
    };
    const deadline = setTimeout(() => reject(new Error(`still open after ${deadlineMillis} ms`)), deadlineMillis);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    socket.on('close', () => settle('closed'));
    send(socket);
  });
}

const HEADER_LINE = `x-filler: ${'a'.repeat(1_000)}\r\n`;

describe('a refused connection is closed in stages, so the client reads its answer', () => {
  it('a header block far over the limit, sent in one go, gets its whole 431 and a clean close, every time', async () => {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 20; i++) {
      outcomes.push(
        await exchange((socket) => {
          socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          for (let k = 0; k < 400; k++) socket.write(HEADER_LINE); // 400 KiB against a 16 KiB limit
          socket.end('\r\n');
        }),
      );
    }
    for (const { received, ended } of outcomes) {
      expect(received).toMatch(/^HTTP\/1\.1 431 /);
      expect(received).toMatch(/\r\n\r\nthe request line and headers are over 16 KiB\n$/);
      expect(ended).toBe('closed'); // not ECONNRESET: the server read what was still coming before it closed
    }
  });

  it('a malformed request still being sent gets its 400 the same way', async () => {
    const { received, ended } = await exchange((socket) => {
      socket.write('NOT A REQUEST LINE\r\n');
      for (let k = 0; k < 200; k++) socket.write(HEADER_LINE);
      socket.end();
    });
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(received).toMatch(/malformed HTTP request/);
    expect(ended).toBe('closed');
  });

  it('a client that never stops sending is cut after the lingering time, not held open', async () => {
    // Half-open: the client goes on sending after the server's FIN, as one that ignores it would.
    const { received, millis } = await exchange(
      (socket) => {
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        for (let k = 0; k < 20; k++) socket.write(HEADER_LINE);
        const more = setInterval(() => socket.writable && socket.write(HEADER_LINE), 50);
        socket.on('close', () => clearInterval(more));
      },
      { halfOpen: true },
    );
    expect(received).toMatch(/^HTTP\/1\.1 431 /);
    expect(millis).toBeGreaterThanOrEqual(1_900); // drained for LINGER_MILLIS (2 s) ...
    expect(millis).toBeLessThan(5_000); // ... then closed
  });
});
