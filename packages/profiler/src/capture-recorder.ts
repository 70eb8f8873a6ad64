import { hostname } from 'node:os';
import type { Profile } from 'pprof-format';
import { captureId } from '@vigil/core';
import type { CaptureMetadata, CaptureReason, CaptureStore, CaptureType, WhatChanged } from '@vigil/store';
import { traceRefs, whatChanged } from '@vigil/pprof';
import type { CpuCaptureOptions, CpuCaptureResult, ProfilerService } from './types.ts';

/** How far before a triggered capture its baseline reaches: half the default flight recorder. */
const BASELINE_MILLIS = 30_000;

/** A capture to take and store: the profiler's options a caller may set, and why it is taken. */
export interface CpuCaptureRequest extends Pick<
  CpuCaptureOptions,
  'durationMillis' | 'lookbackMillis' | 'signal' | 'onStart'
> {
  reason: CaptureReason;
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
  readonly #onError: (error: unknown, what: string) => void;

  constructor(
    profiler: ProfilerService,
    store: CaptureStore,
    service: string,
    onError: (error: unknown, what: string) => void,
  ) {
    this.#profiler = profiler;
    this.store = store;
    this.#service = service;
    this.#onError = onError;
  }

  async captureCpu(request: CpuCaptureRequest): Promise<StoredCapture> {
    const id = captureId();
    // A triggered capture also compares itself with the recorder's normal before it. onStart goes to the profiler,
    // which calls it once this capture holds its one slot: a capture refused as busy (PROFILER_BUSY) never hands out
    // an id, since nothing would ever be stored under it.
    const triggered = request.reason.kind === 'rule' || request.reason.kind === 'alert';
    const capture = await this.#profiler.captureCpu({
      durationMillis: request.durationMillis,
      lookbackMillis: request.lookbackMillis,
      signal: request.signal,
      id,
      ...(triggered ? { baselineMillis: BASELINE_MILLIS } : {}),
      onStart: request.onStart,
    });
    const changed = capture.baseline ? this.#whatChanged(capture.baseline, capture.profile) : undefined;
    return this.#store(
      'cpu',
      capture.id,
      capture.profile,
      capture.startMillis,
      capture.endMillis,
      request.reason,
      changed,
    );
  }

  /** Stores a CPU profile already taken (a continuous upload's period, cut from the stream). */
  async storeCpu(
    profile: Profile,
    startMillis: number,
    endMillis: number,
    reason: CaptureReason,
  ): Promise<StoredCapture> {
    return this.#store('cpu', captureId(), profile, startMillis, endMillis, reason);
  }

  #whatChanged(baseline: NonNullable<CpuCaptureResult['baseline']>, incident: Profile): WhatChanged | undefined {
    try {
      const result = whatChanged(baseline.profile, incident);
      return {
        ...result,
        baseline: {
          startedAt: new Date(baseline.startMillis).toISOString(),
          endedAt: new Date(baseline.endMillis).toISOString(),
        },
      };
    } catch (error) {
      // The capture matters more than its comparison: store it without one.
      this.#onError(error, 'comparing a capture with its baseline');
      return undefined;
    }
  }

  async captureHeap(reason: CaptureReason): Promise<StoredCapture> {
    const now = Date.now();
    return this.#store('heap', captureId(), await this.#profiler.heapProfile(), now, now, reason);
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
      {
        id,
        type: 'heapsnapshot',
        service: this.#service,
        host: hostname(),
        pid: process.pid,
        startedAt: new Date(started).toISOString(),
        endedAt: new Date().toISOString(),
        reason,
        samples: 0,
        format: 'heapsnapshot',
      },
      data,
    );
    return { metadata, profile: undefined, data };
  }

  async #store(
    type: CaptureType,
    id: string,
    profile: Profile,
    startMillis: number,
    endMillis: number,
    reason: CaptureReason,
    changed?: WhatChanged,
  ): Promise<StoredCapture> {
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
        ...(changed ? { whatChanged: changed } : {}),
      },
      data,
      type === 'cpu' ? traceRefs(profile) : [],
    );
    // Retention runs in the store after each write (with a trailing run after a burst).
    return { metadata, profile, data };
  }
}
