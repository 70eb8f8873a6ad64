import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidValue } from '@vigil/core';
import { FileStore } from './file-store.ts';
import type { CaptureStore, RetentionPolicy, StoreOptions } from './types.ts';

/** Opens `file://DIR` (relative paths from the working directory), or a bare path. */
export function openStore(url: string, retention: Partial<RetentionPolicy> = {}, field = 'VIGIL_STORE', options: StoreOptions = {}): CaptureStore {
  if (url.startsWith('file://')) {
    const path = url.slice('file://'.length);
    const dir = path.startsWith('/') ? fileURLToPath(`file://${path}`) : resolve(path);
    return new FileStore(dir, retention, options);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw invalidValue(field, url, 'file://DIR (a directory; the S3 store is not available yet)');
  }
  return new FileStore(resolve(url), retention, options);
}
