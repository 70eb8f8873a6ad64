export { FileStore, DEFAULT_RETENTION } from './file-store.ts';
export { openStore } from './open-store.ts';
export { isTraceId } from './capture-path.ts';
export type { CaptureFilter, CaptureMetadata, CaptureReason, CaptureStore, CaptureType, RetentionPolicy, TraceRef, WhatChanged } from './types.ts';
