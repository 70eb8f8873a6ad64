import { hostname } from 'node:os';
import type { Profile } from 'pprof-format';
import { captureId } from '@vigil/core';
import type { CaptureMetadata, CaptureReason, CaptureStore, CaptureType } from '@vigil/store';
import { traceRefs } from './pprof/labels.ts';
import type { ProfilerService } from './types.ts';

export interface CpuCaptureRequest {
  durationMillis: number;
  lookbackMillis?: number;
  signal?: AbortSignal;
  reason: CaptureReason;
  /** Called with the id as soon as the capture starts (before it ends). */
  onStart?: (id: string) => void;
}

export interface StoredCapture {
  metadata: CaptureMetadata;
  /** The decoded profile (undefined for a heap snapshot). */
  profile: Profile | undefined;
  data: Buffer;
}

/**
 * Takes a capture and stores it, with the trace ids of its samples indexed: what every CPU capture goes through,
 * whoever asked (an HTTP client, a rule, an alert).
 */
export class CaptureRecorder {
  readonly store: CaptureStore;
  readonly #profiler: ProfilerService;
  readonly #service: string;

  constructor(profiler: ProfilerService, store: CaptureStore, service: string) {
    this.#profiler = profiler;
    this.store = store;
    this.#service = service;
  }

  async captureCpu(request: CpuCaptureRequest): Promise<StoredCapture> {
    const id = captureId();
    const pending = this.#profiler.captureCpu({ durationMillis: request.durationMillis, lookbackMillis: request.lookbackMillis, signal: request.signal, id });
    request.onStart?.(id);
    const capture = await pending;
    return this.#store('cpu', capture.id, capture.profile, capture.startMillis, capture.endMillis, request.reason);
  }

  async captureHeap(reason: CaptureReason): Promise<StoredCapture> {
    const now = Date.now();
    return this.#store('heap', captureId(), this.#profiler.heapProfile(), now, now, reason);
  }

  async captureHandles(reason: CaptureReason): Promise<StoredCapture> {
    const now = Date.now();
    return this.#store('handles', captureId(), this.#profiler.handlesProfile(), now, now, reason);
  }

  /** A V8 heap snapshot, stored as `.heapsnapshot` (refused when disabled or memory is short). */
  async captureHeapSnapshot(reason: CaptureReason): Promise<StoredCapture> {
    const id = captureId();
    const started = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of this.#profiler.heapSnapshot()) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    const metadata = await this.store.put(
      { id, type: 'heapsnapshot', service: this.#service, host: hostname(), pid: process.pid, startedAt: new Date(started).toISOString(), endedAt: new Date().toISOString(), reason, samples: 0, format: 'heapsnapshot' },
      data,
    );
    return { metadata, profile: undefined, data };
  }

  async #store(type: CaptureType, id: string, profile: Profile, startMillis: number, endMillis: number, reason: CaptureReason): Promise<StoredCapture> {
    const data = await this.#profiler.encode(profile);
    const metadata = await this.store.put(
      {
        id,
        type,
        service: this.#service,
        host: hostname(),
        pid: process.pid,
        startedAt: new Date(startMillis).toISOString(),
        endedAt: new Date(endMillis).toISOString(),
        reason,
        samples: profile.sample.length,
        format: 'pprof',
      },
      data,
      type === 'cpu' ? traceRefs(profile) : [],
    );
    // Retention runs in the store after each write (with a trailing run after a burst).
    return { metadata, profile, data };
  }
}
