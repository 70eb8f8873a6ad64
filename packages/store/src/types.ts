export type CaptureType = 'cpu' | 'heap' | 'handles' | 'heapsnapshot';

export interface CaptureReason {
  kind: 'rule' | 'alert' | 'manual' | 'http' | 'oom';
  name?: string;
  value?: number;
  threshold?: number;
}

/** What the store keeps beside each capture's data (`<id>.json`). */
export interface CaptureMetadata {
  id: string;
  type: CaptureType;
  service: string;
  host: string;
  pid: number;
  startedAt: string;
  endedAt: string;
  reason: CaptureReason;
  /** Size of the stored data, bytes. */
  bytes: number;
  samples: number;
  traceCount: number;
  /** `pprof` (gzipped protobuf) or `heapsnapshot` (V8 JSON). */
  format: 'pprof' | 'heapsnapshot';
}

/** The spans of one trace seen in a capture: what the trace index points at. */
export interface TraceRef {
  traceId: string;
  spanIds: string[];
}

export interface CaptureFilter {
  traceId?: string;
  spanId?: string;
  rule?: string;
  type?: CaptureType;
  /** ISO time or epoch ms: captures that ended at or after it. */
  since?: number;
  /** Captures that started at or before it. */
  until?: number;
  /** Newest first, at most this many. Default 100. */
  limit?: number;
}

export interface RetentionPolicy {
  maxCount: number;
  maxBytes: number;
  maxAgeMillis: number;
}

export interface CaptureStore {
  readonly location: string;
  /** Stores a capture atomically: it is listed only once its data, trace index and metadata are all written. */
  put(metadata: Omit<CaptureMetadata, 'bytes' | 'traceCount'>, data: Uint8Array, traces?: readonly TraceRef[]): Promise<CaptureMetadata>;
  get(id: string): Promise<{ metadata: CaptureMetadata; data: Buffer } | undefined>;
  metadata(id: string): Promise<CaptureMetadata | undefined>;
  traces(id: string): Promise<TraceRef[]>;
  list(filter?: CaptureFilter): Promise<CaptureMetadata[]>;
  /** How many captures the store holds and their total size. */
  usage(): Promise<{ count: number; bytes: number }>;
  /** Applies the retention policy now; returns the ids removed. */
  enforceRetention(): Promise<string[]>;
  /** Recreates the trace index from the captures' own trace lists. */
  rebuildIndex(): Promise<void>;
}
