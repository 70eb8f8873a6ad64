export { startDebugServer } from './server.ts';
export type { DebugServer, DebugServerDeps } from './server.ts';
export type { DebugServerOptions } from './types.ts';
export { parseListenAddress, isLoopback } from './address.ts';
export type { ListenAddress } from './address.ts';
export { checkExposure } from './security.ts';
export { DEFAULT_HTTP_LIMITS, answerProtocolErrors, httpServerOptions, missingHost } from './http-limits.ts';
export type { HttpLimits } from './http-limits.ts';
