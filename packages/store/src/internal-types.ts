/** One object of a backend (a file under the store's directory, or an S3 object under its prefix). */
export interface BlobEntry {
  /** `captures/2026/11/23/<id>.json`: always `/`-separated, relative to the store's root. */
  key: string;
  size: number;
  modifiedMillis: number;
}

/**
 * What a capture store needs of the place it keeps its files: the filesystem and S3 implement it, and everything
 * else (layout, metadata, trace index, retention) is written once on top of it.
 */
export interface Blobs {
  readonly location: string;
  /** Readers see the whole object or nothing. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** Like `put`, but false (and nothing written) when the key exists already. */
  putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean>;
  get(key: string): Promise<Buffer | undefined>;
  /** Bytes `[start, end)`; shorter when the object is. */
  getRange(key: string, start: number, end: number): Promise<Buffer | undefined>;
  /** Size in bytes, or undefined when there is no such object. `forWrite`: a write's check, under its deadline. */
  size(key: string, forWrite?: boolean): Promise<number | undefined>;
  /** Every object whose key starts with `prefix` (a folder: ends with `/`), sorted by key. */
  list(prefix: string): Promise<BlobEntry[]>;
  /** Missing keys are not an error (another process may have removed them first). */
  delete(keys: readonly string[]): Promise<void>;
  /** Everything under a folder, empty folders included. */
  deletePrefix(prefix: string): Promise<void>;
  /** Upload retries and failures, where the backend retries (S3). */
  counters?(): { uploadRetries: number; uploadFailures: number };
}

/** How a store reports what it skipped or could not do: logged and counted, never thrown into the app. */
export type ErrorReporter = (error: unknown, what: string) => void;
