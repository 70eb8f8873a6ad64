/**
 * One file of the trace index: a sorted table of (trace id, capture id) records, with a fan-out table on the first
 * byte of the trace id, as git's pack index has. A lookup reads the head (one ranged read, the whole file when small)
 * and at most one more range, whatever the file's size, so the index may be a few large files instead of one per trace.
 *
 *   0     8 bytes   magic "VGTIDX02"
 *   8     u32 LE    record count R
 *   12    u32 LE    0 (reserved)
 *   16    256 u32   fanout[b] = records whose trace id's first byte is <= b
 *   1040  R x 42    16-byte trace id, then the 26-character capture id (ASCII); sorted
 */
const MAGIC = Buffer.from('VGTIDX02', 'latin1');
export const HEAD_BYTES = 16 + 256 * 4;
export const RECORD_BYTES = 42;
const ID_BYTES = 26;

export interface SegmentHead {
  count: number;
  fanout: Uint32Array;
}

/** Encodes records (trace id hex, capture id); sorts and removes duplicates. */
export function encodeSegment(records: Iterable<readonly [string, string]>): Buffer {
  const keys = [...new Set([...records].map(([trace, id]) => `${trace}${id}`))].sort();
  const out = Buffer.alloc(HEAD_BYTES + keys.length * RECORD_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(keys.length, 8);
  const fanout = new Uint32Array(256);
  keys.forEach((key, i) => {
    const at = HEAD_BYTES + i * RECORD_BYTES;
    out.write(key.slice(0, 32), at, 'hex');
    out.write(key.slice(32), at + 16, 'latin1');
    fanout[out[at]!]!++;
  });
  let running = 0;
  for (let b = 0; b < 256; b++) {
    running += fanout[b]!;
    out.writeUInt32LE(running, 16 + b * 4);
  }
  return out;
}

/** The head of a segment, or undefined when the bytes are not one (or `size` disagrees with its record count). */
export function parseHead(bytes: Buffer, size: number): SegmentHead | undefined {
  if (bytes.length < HEAD_BYTES || !bytes.subarray(0, 8).equals(MAGIC)) return undefined;
  const count = bytes.readUInt32LE(8);
  if (size !== HEAD_BYTES + count * RECORD_BYTES) return undefined;
  const fanout = new Uint32Array(256);
  for (let b = 0; b < 256; b++) fanout[b] = bytes.readUInt32LE(16 + b * 4);
  if (fanout[255] !== count || fanout.some((v, b) => b > 0 && v < fanout[b - 1]!)) return undefined;
  return { count, fanout };
}

/** Where the records of a trace id's first byte are: record indexes `[from, to)`. */
export function bucketOf(head: SegmentHead, traceId: string): [number, number] {
  const first = Number.parseInt(traceId.slice(0, 2), 16);
  return [first === 0 ? 0 : head.fanout[first - 1]!, head.fanout[first]!];
}

/** The capture ids of `traceId` among records `bytes` (a run of whole records, sorted). */
export function captureIdsIn(bytes: Buffer, traceId: string): string[] {
  const target = Buffer.from(traceId, 'hex');
  const n = Math.floor(bytes.length / RECORD_BYTES);
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bytes.compare(target, 0, 16, mid * RECORD_BYTES, mid * RECORD_BYTES + 16) < 0) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < n && bytes.compare(target, 0, 16, i * RECORD_BYTES, i * RECORD_BYTES + 16) === 0; i++) {
    out.push(bytes.toString('latin1', i * RECORD_BYTES + 16, i * RECORD_BYTES + 16 + ID_BYTES));
  }
  return out;
}

/** Every record of a whole segment, for merging. */
export function* records(bytes: Buffer, head: SegmentHead): Generator<[string, string]> {
  for (let i = 0; i < head.count; i++) {
    const at = HEAD_BYTES + i * RECORD_BYTES;
    yield [bytes.toString('hex', at, at + 16), bytes.toString('latin1', at + 16, at + 16 + ID_BYTES)];
  }
}
