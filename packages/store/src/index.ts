export { FileStore } from './file-store.ts';
export { S3Store } from './s3-store.ts';
export { DEFAULT_RETENTION } from './blob-capture-store.ts';
export { openStore } from './open-store.ts';
export { isTraceId } from './capture-keys.ts';
export { REASON_KINDS } from './reason-kinds.ts';
export type {
  CaptureFilter,
  CaptureMetadata,
  CaptureReason,
  CaptureStore,
  CaptureType,
  RetentionPolicy,
  S3Options,
  StoreCheck,
  StoreCounters,
  StoreOptions,
  StoreProblem,
  TraceRef,
  WhatChanged,
} from './types.ts';
