import { readFileSync } from 'node:fs';
import { ErrorCodes, VigilError } from '@vigil/core';
import { checkExposure, type DebugServerOptions } from '@vigil/debug-server';
import type { ResolvedConfig } from './types.ts';

/**
 * The debug server's options from the resolved configuration, checked before anything starts: an exposed address
 * with neither token nor TLS, half a TLS pair, or an unreadable PEM file is an error at `start()`.
 */
export function debugServerOptions(config: Readonly<ResolvedConfig>): DebugServerOptions | undefined {
  if (config.debugAddr === undefined) return undefined;
  if ((config.debugTlsCert === undefined) !== (config.debugTlsKey === undefined)) {
    const missing = config.debugTlsCert === undefined ? 'VIGIL_DEBUG_TLS_CERT' : 'VIGIL_DEBUG_TLS_KEY';
    throw new VigilError(
      ErrorCodes.DEBUG_TLS,
      `${missing}: TLS needs both a certificate and a key; set ${missing} too`,
      { field: missing },
    );
  }
  if (config.debugTlsCa !== undefined && config.debugTlsCert === undefined) {
    throw new VigilError(
      ErrorCodes.DEBUG_TLS,
      'VIGIL_DEBUG_TLS_CA: client certificates need TLS; set VIGIL_DEBUG_TLS_CERT and VIGIL_DEBUG_TLS_KEY too',
      { field: 'VIGIL_DEBUG_TLS_CA' },
    );
  }
  const tls =
    config.debugTlsCert === undefined || config.debugTlsKey === undefined
      ? undefined
      : {
          cert: readPem('VIGIL_DEBUG_TLS_CERT', config.debugTlsCert),
          key: readPem('VIGIL_DEBUG_TLS_KEY', config.debugTlsKey),
          ca: config.debugTlsCa === undefined ? undefined : readPem('VIGIL_DEBUG_TLS_CA', config.debugTlsCa),
        };
  const options: DebugServerOptions = {
    host: config.debugAddr.host,
    port: config.debugAddr.port,
    token: config.debugToken,
    tls,
    insecure: config.debugInsecure,
    maxSeconds: config.profileMaxDuration / 1_000,
  };
  checkExposure({
    address: config.debugAddr,
    token: options.token,
    tls: tls !== undefined,
    insecure: config.debugInsecure,
  });
  return options;
}

function readPem(field: string, path: string): Buffer {
  try {
    const pem = readFileSync(path);
    if (!pem.includes('-----BEGIN')) throw new Error('not a PEM file');
    return pem;
  } catch (error) {
    throw new VigilError(
      ErrorCodes.DEBUG_TLS,
      `${field}: cannot read "${path}": ${(error as Error).message}; expected a PEM file`,
      { field, value: path, cause: error },
    );
  }
}
