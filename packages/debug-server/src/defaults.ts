/** The debug server's defaults, declared once: `startDebugServer()` falls back to them, and the sdk's configuration spec uses them. */
export const DEBUG_SERVER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 6060,
  /** Longest CPU capture, seconds. */
  maxSeconds: 300,
  /** Requests served at once; more get 503. */
  maxInFlight: 8,
});
