import type { Readable } from 'node:stream';
import type { Profile } from 'pprof-format';
import type { VigilError } from '@vigil/core';
import type { CaptureStore } from '@vigil/store';
import type { SpanLabeler, SpanLabelMode } from './span-labels.ts';

export interface ProfilerOptions {
  /** Continuous wall profiling into the flight recorder (`VIGIL_PROFILING=on`). Off: on-demand captures only. */
  continuous?: boolean;
  /** CPU sampling interval, µs. Default 10,000 (100 Hz, as Go's pprof). */
  intervalMicros?: number;
  /** Length of one flight-recorder window, ms: the granularity of a capture's lookback. Default 5 s. */
  windowMillis?: number;
  /** How far back the flight recorder reaches, ms. Default 60 s. */
  recorderMillis?: number;
  /** Memory budget of the flight recorder, bytes. Default 16 MiB. */
  recorderMaxBytes?: number;
  /**
   * Every this many ms, store the period's CPU profile and the in-use heap as captures of reason `continuous`
   * (`VIGIL_CONTINUOUS`). Needs continuous profiling and a store. Default: off.
   */
  uploadEveryMillis?: number;
  /** Average bytes between heap samples. Default 512 KiB. */
  heapIntervalBytes?: number;
  /** Allow V8 heap snapshots. Default false. */
  heapSnapshots?: boolean;
  /** Record the creation stack of each handle (async_hooks). Default false. */
  trackHandles?: boolean;
  /** How CPU samples get their span: `cped`, `async-hooks` or `off` (see SpanLabelMode). Default off. */
  spanLabels?: SpanLabelMode;
  /** Near the heap limit, write a heap profile to the store before V8 aborts (reason `oom`). Default true with a store. */
  oomCapture?: boolean;
  /** Where captures go; without one, captures are only answered, not kept. */
  store?: CaptureStore;
  /** `service` in each capture's metadata. */
  serviceName?: string;
  /** Directories to scan for source maps so frames show original (e.g. `.ts`) files. Default none. */
  sourceMapDirs?: string[];
}

export interface CpuCaptureOptions {
  /** Length of the capture from now, ms. */
  durationMillis: number;
  /** How much of the recent past to include, ms (continuous profiling only). */
  lookbackMillis?: number;
  signal?: AbortSignal;
  id?: string;
  /** Also return the flight recorder's windows from up to this long before the capture (continuous only), ms. */
  baselineMillis?: number;
  /** Called with the id once this capture holds the profiler (never for one refused as busy). */
  onStart?: (id: string) => void;
}

export interface CpuCaptureResult {
  id: string;
  profile: Profile;
  startMillis: number;
  endMillis: number;
  /** The recorder's windows just before the capture, merged (when asked for and held). */
  baseline?: { profile: Profile; startMillis: number; endMillis: number };
}

/** What the profiler offers other plugins (the debug server, triggers) through the `profiler` capability. */
export interface ProfilerService {
  readonly continuous: boolean;
  captureCpu(options: CpuCaptureOptions): Promise<CpuCaptureResult>;
  /** The CPU capture in progress, if any. */
  cpuBusy(): { id: string; startedAt: number } | undefined;
  /** In-use heap by allocation site; without continuous profiling the first call starts the sampling heap profiler. */
  heapProfile(): Promise<Profile>;
  handlesProfile(): Profile;
  readonly tracksHandles: boolean;
  heapSnapshotRefusal(): VigilError | undefined;
  heapSnapshot(): Readable;
  /** gzipped pprof protobuf. */
  encode(profile: Profile): Promise<Buffer>;
  recorder(): { windows: number; bytes: number; oldestMillis: number | undefined };
  /** Tells the profiler which span is active; attach it to the OpenTelemetry context manager. */
  readonly labeler: SpanLabeler;
}
