import type { TraceRef } from '@vigil/pprof';

export type CaptureType = 'cpu' | 'heap' | 'handles' | 'heapsnapshot';

export interface CaptureReason {
  kind: 'rule' | 'alert' | 'manual' | 'http' | 'oom' | 'continuous';
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
  /** Triggered CPU captures: how the incident differs from the flight recorder's normal before it. */
  whatChanged?: WhatChanged;
}

/** The functions whose self share grew most between a baseline (the recorder's windows before) and a capture. */
export interface WhatChanged {
  /** The sample type compared: `cpu` (CPU time), else `wall`. */
  sampleType: string;
  /** The baseline window. */
  baseline: { startedAt: string; endedAt: string };
  /** Most grown first; shares 0..1 of the sample type's total in each window. */
  grew: Array<{ name: string; file: string; line: number; baselineShare: number; incidentShare: number }>;
}

/** The spans of one trace seen in a capture (what the trace index points at): as @vigil/pprof's traceRefs() reads them. */
export type { TraceRef };

export interface CaptureFilter {
  traceId?: string;
  spanId?: string;
  rule?: string;
  type?: CaptureType;
  /** Captures taken for one reason (`continuous`, `rule`, ...). */
  reason?: CaptureReason['kind'];
  /** Captures of one service, host or process: many instances may share one store. */
  service?: string;
  host?: string;
  pid?: number;
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

/** Tuning of a store; the defaults suit a service. */
export interface StoreOptions {
  /** Run retention and index upkeep after writes (with a trailing run after a burst). Default true. */
  maintenance?: boolean;
  /** At most one upkeep run per this many ms. Default 10 s on disk, 60 s on S3 (each run lists the store). */
  maintenanceIntervalMillis?: number;
  /** Files without metadata untouched for this long are a dead writer's leftovers, and removed. Default 1 h. */
  orphanGraceMillis?: number;
  /** Told of every file skipped as corrupt and every failed upkeep or upload, to log and count it. */
  onError?: (error: unknown, what: string) => void;
}

/** The S3 store's settings beyond the standard AWS chain. */
export interface S3Options {
  /** Path-style URLs (`http://host/bucket/key`), for MinIO, Ceph, s3rver. */
  forcePathStyle?: boolean;
  /** An upload (with its retries) is given up after this long. Default 60 s. */
  uploadDeadlineMillis?: number;
  /** Reads and listings likewise. Default 15 s. */
  readDeadlineMillis?: number;
  /** Uploads in flight hold their bytes; past this, a new one is refused at once. Default 64 MiB. */
  maxPendingBytes?: number;
}

/** Something `check()` found that the store skips. */
export interface StoreProblem {
  /** The file or object, relative to the store's root. */
  key: string;
  kind:
    | 'corrupt-metadata'
    | 'truncated-data'
    | 'missing-data'
    | 'corrupt-trace-list'
    | 'orphan'
    | 'foreign'
    | 'corrupt-index'
    | 'index-version';
  detail: string;
}

export interface StoreCheck {
  location: string;
  /** Complete, readable captures. */
  captures: number;
  bytes: number;
  indexSegments: number;
  problems: StoreProblem[];
}

/** What a store has skipped and retried since it was opened. */
export interface StoreCounters {
  /** Files skipped as corrupt or foreign (each counted once). */
  skipped: number;
  /** Uploads retried after a failure (S3). */
  uploadRetries: number;
  /** Writes given up after their retries, or refused because the upload queue was full. */
  uploadFailures: number;
}

export interface CaptureStore {
  readonly location: string;
  /**
   * Stores a capture: it is listed only once its data, trace list, index segment and metadata (last) are written.
   * Rejects with `VIGIL_ERR_STORE_WRITE` when it cannot be (the id is taken, the upload failed after its retries).
   */
  put(
    metadata: Omit<CaptureMetadata, 'bytes' | 'traceCount'>,
    data: Uint8Array,
    traces?: readonly TraceRef[],
  ): Promise<CaptureMetadata>;
  /**
   * The capture, or undefined when there is none. Rejects with a `VigilError` of code `VIGIL_ERR_STORE_CORRUPT`
   * when its data is not the size its metadata says (cut short): such data is never handed out.
   */
  get(id: string): Promise<{ metadata: CaptureMetadata; data: Buffer } | undefined>;
  metadata(id: string): Promise<CaptureMetadata | undefined>;
  traces(id: string): Promise<TraceRef[]>;
  list(filter?: CaptureFilter): Promise<CaptureMetadata[]>;
  /** How many captures the store holds and their total size. */
  usage(): Promise<{ count: number; bytes: number }>;
  /** Applies the retention policy now; returns the ids removed. */
  enforceRetention(): Promise<string[]>;
  /** Recreates the trace index from the captures' own trace lists (the old index is removed only once that is done). */
  rebuildIndex(): Promise<void>;
  /** Retention, then index merges: what runs after writes. */
  maintain(): Promise<void>;
  /** Reads every file and reports what listing skips (`vigil doctor`). Changes nothing. */
  check(): Promise<StoreCheck>;
  counters(): StoreCounters;
  /** Resolves once the upkeep asked for by earlier writes has run. */
  idle(): Promise<void>;
  /** Stops the upkeep timer; safe to call twice. */
  close(): Promise<void>;
}
