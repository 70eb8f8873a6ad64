import { openStore, type CaptureStore } from '@vigil/store';
import type { ResolvedConfig } from '../types.ts';

/**
 * The capture store `VIGIL_STORE` names, with its retention (`storeMaxCaptures`, `storeMaxBytes`, `storeMaxAge` are
 * the store's `maxCount`, `maxBytes`, `maxAgeMillis`); a write that fails is counted, never thrown.
 */
export function captureStore(
  config: Readonly<ResolvedConfig>,
  reportError: (error: unknown, what: string) => void,
): CaptureStore {
  return openStore(
    config.store,
    { maxCount: config.storeMaxCaptures, maxBytes: config.storeMaxBytes, maxAgeMillis: config.storeMaxAge },
    'VIGIL_STORE',
    { forcePathStyle: config.s3ForcePathStyle, onError: reportError },
  );
}
