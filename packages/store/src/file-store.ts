import { BlobCaptureStore } from './blob-capture-store.ts';
import { FsBlobs } from './fs-blobs.ts';
import type { RetentionPolicy, StoreOptions } from './types.ts';

/**
 * Captures on the local filesystem. Every file is written atomically (temp + fsync + rename), the metadata last: a
 * capture is listed only when complete, and a crash mid-write leaves nothing listed. Several processes may share one
 * directory: ids never collide (metadata is linked, never replaced), deletions tolerate races, retention needs no lock.
 */
export class FileStore extends BlobCaptureStore {
  constructor(root: string, retention: Partial<RetentionPolicy> = {}, options: StoreOptions = {}) {
    super(new FsBlobs(root), retention, options, 10_000);
  }
}
