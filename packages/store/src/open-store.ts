import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidValue } from '@vigil/core';
import { FileStore } from './file-store.ts';
import { parseS3Url } from './s3-location.ts';
import { S3Store } from './s3-store.ts';
import type { CaptureStore, RetentionPolicy, S3Options, StoreOptions } from './types.ts';

/** Opens `file://DIR` (relative paths from the working directory), `s3://BUCKET/PREFIX`, or a bare path. */
export function openStore(
  url: string,
  retention: Partial<RetentionPolicy> = {},
  field = 'VIGIL_STORE',
  options: StoreOptions & S3Options = {},
): CaptureStore {
  if (url.startsWith('file://')) {
    const path = url.slice('file://'.length);
    const dir = path.startsWith('/') ? fileURLToPath(`file://${path}`) : resolve(path);
    return new FileStore(dir, retention, options);
  }
  if (url.startsWith('s3://')) return new S3Store(parseS3Url(url, field), retention, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw invalidValue(field, url, 'file://DIR (a directory) or s3://BUCKET/PREFIX');
  return new FileStore(resolve(url), retention, options);
}
