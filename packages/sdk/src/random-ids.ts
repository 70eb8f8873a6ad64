// Trace and span ids for the spans Vigil makes without the tracing SDK (which it does not load unless spans are
// exported). Math.random, as the SDK's RandomIdGenerator: ids must be unique, not secret.
const buffer = Buffer.allocUnsafe(16);

function randomHex(bytes: number): string {
  for (let i = 0; i < bytes; i += 4) buffer.writeUInt32BE((Math.random() * 2 ** 32) >>> 0, i);
  // All zeros is the invalid id; make the last byte non-zero in that (practically impossible) case.
  if (buffer.readUInt32BE(0) === 0 && buffer.readUInt32BE(bytes - 4) === 0) buffer[bytes - 1] = 1;
  return buffer.toString('hex', 0, bytes);
}

/** 16 random bytes as 32 hex digits, never all zeros. */
export const randomTraceId = (): string => randomHex(16);

/** 8 random bytes as 16 hex digits, never all zeros. */
export const randomSpanId = (): string => randomHex(8);
