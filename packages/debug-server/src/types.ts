export interface DebugServerOptions {
  host: string;
  port: number;
  /** Bearer token required on every request. */
  token?: string;
  /** Serve HTTPS: PEM cert and key, and a CA to require client certificates (mutual TLS). */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  /** Explicitly allow a non-loopback address with neither token nor TLS. */
  insecure?: boolean;
  /** Longest CPU capture, seconds. Default 300. */
  maxSeconds?: number;
  /** Requests served at once; more get 503. Default 8. */
  maxInFlight?: number;
  /** A request's line and headers must arrive within this, ms; else 408 and the connection is closed. Default 10 s. */
  headersTimeoutMillis?: number;
  /** A POST body must arrive within this of its first read, ms; else 408 and the connection is closed. Default 10 s. */
  bodyTimeoutMillis?: number;
}
