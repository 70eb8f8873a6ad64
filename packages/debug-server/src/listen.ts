import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ListenAddress } from './address.ts';
import { answerProtocolErrors, type HttpLimits } from './http-limits.ts';

/** A server Vigil listens on for itself (the debug server, the `/metrics` server). */
export interface ListeningServer {
  readonly server: Server;
  readonly port: number;
  /** `host:port` to reach it from this machine: a wildcard address reads 127.0.0.1, an IPv6 one is bracketed. */
  readonly authority: string;
  /** Cuts open connections (keep-alive ones included) and stops listening; safe to call twice. */
  close(): Promise<void>;
}

export interface ListenOptions {
  limits: HttpLimits;
  /** The error `start()` rejects with when the port cannot be had, given the reason in words. */
  refuse(reason: string, cause: Error): Error;
  /** A server error after listening (never thrown into the app). */
  reportError?: (error: unknown, what: string) => void;
  what: string;
}

/**
 * Listens on `address`, so that a failure to listen (a port in use) rejects `start()` with a clear error instead of
 * being logged later. The server is unref'd: it never keeps the process alive by itself. What Node answers on its own
 * (malformed requests, timeouts) gets a one-line reason, as every other answer does.
 */
export async function listen(server: Server, address: ListenAddress, options: ListenOptions): Promise<ListeningServer> {
  server.keepAliveTimeout = 5_000;
  answerProtocolErrors(server, options.limits);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(options.refuse(error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message, error));
    server.once('error', onError);
    // `exclusive`: in a cluster worker, bind the port itself rather than share one through the primary.
    server.listen({ port: address.port, host: address.host, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.unref();
  server.on('error', (error) => options.reportError?.(error, options.what));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    authority: `${shownHost(address.host)}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

/** The name to reach a listener by from this machine: a wildcard address is reached through loopback. */
function shownHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
