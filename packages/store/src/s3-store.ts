import { BlobCaptureStore } from './blob-capture-store.ts';
import { S3Blobs } from './s3-blobs.ts';
import type { S3Location } from './s3-location.ts';
import type { RetentionPolicy, S3Options, StoreOptions } from './types.ts';

/**
 * Captures in an S3 bucket (or any S3-compatible server), with the filesystem store's layout and metadata. Each
 * object is written whole by one PUT and the metadata last, so a capture is complete or absent; many instances may
 * write one bucket: no locks, ids that do not collide, a trace index of one object per capture. Upkeep lists the
 * store, so it runs at most once a minute (and once after a burst); S3 lifecycle rules are the production way to
 * bound age (docs/storage.md).
 */
export class S3Store extends BlobCaptureStore {
  constructor(where: S3Location, retention: Partial<RetentionPolicy> = {}, options: StoreOptions & S3Options = {}) {
    super(new S3Blobs(where, options), retention, options, 60_000);
  }
}
