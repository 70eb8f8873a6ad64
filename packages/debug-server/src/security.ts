import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ErrorCodes, VigilError } from '@vigil/core';
import { isLoopback, type ListenAddress } from './address.ts';

export interface ExposureSettings {
  address: ListenAddress;
  token?: string;
  tls: boolean;
  insecure: boolean;
}

/**
 * Secure by default: the debug endpoints pause, profile and snapshot the process, so exposing them beyond loopback
 * without authentication or TLS is refused at start (not warned). `insecure` is the explicit, documented override.
 */
export function checkExposure(settings: ExposureSettings, field = 'VIGIL_DEBUG_ADDR'): void {
  const { host, port } = settings.address;
  if (isLoopback(host) || settings.token !== undefined || settings.tls || settings.insecure) return;
  throw new VigilError(
    ErrorCodes.DEBUG_INSECURE,
    `${field}: "${host}:${port}" exposes the debug endpoints beyond loopback with neither a token nor TLS; ` +
      'set VIGIL_DEBUG_TOKEN and/or VIGIL_DEBUG_TLS_CERT + VIGIL_DEBUG_TLS_KEY, bind to 127.0.0.1, ' +
      'or set VIGIL_DEBUG_INSECURE=true to accept the risk',
    { field, value: `${host}:${port}`, expected: 'a loopback address, or a token or TLS' },
  );
}

/** Compares the bearer token in constant time (over digests, so lengths do not leak either). */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !/^Bearer /i.test(header)) return false;
  const given = createHash('sha256').update(header.slice(7).trim()).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}

/**
 * DNS rebinding protection: a page on evil.example that resolves its name to 127.0.0.1 can make the browser call a
 * loopback listener, but the Host header still says evil.example. A loopback listener answers loopback names only.
 */
export function hostAllowed(req: IncomingMessage, listenHost: string): boolean {
  if (!isLoopback(listenHost)) return true;
  const header = req.headers.host;
  if (typeof header !== 'string' || header === '') return false;
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
  return isLoopback(name);
}
