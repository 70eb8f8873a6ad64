import { isIP } from 'node:net';
import { invalidValue } from '@vigil/core';

export interface ListenAddress {
  host: string;
  port: number;
}

const EXPECTED = 'HOST:PORT such as "127.0.0.1:6060", "[::1]:6060" or "0.0.0.0:6060", or "off"';

/** Parses `VIGIL_DEBUG_ADDR`: `host:port`, `[v6]:port`, `:port` (loopback), or `off` (undefined). */
export function parseListenAddress(raw: unknown, field: string): ListenAddress | undefined {
  if (typeof raw !== 'string') throw invalidValue(field, raw, EXPECTED);
  const value = raw.trim();
  if (value === 'off') return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw invalidValue(field, raw, EXPECTED);
  const host = match[1] ?? (match[2] || '127.0.0.1');
  if (match[1] !== undefined && isIP(host) !== 6) throw invalidValue(field, raw, EXPECTED);
  return { host, port };
}

/** Loopback addresses and names: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1' ||
    /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === '::ffff:127.0.0.1'
  );
}
