import type { SourceMapper } from '@datadog/pprof';
import { time } from './datadog.ts';
import type { Profile } from 'pprof-format';
import { ErrorCodes, VigilError, captureId, formatDuration } from '@vigil/core';
import { FlightRecorder, estimateBytes, type ProfileWindow } from './flight-recorder.ts';
import { mergeProfiles } from '@vigil/pprof';
import { fromDatadog } from './datadog-profile.ts';
import { labelsFromContext, type SpanLabeler } from './span-labels.ts';
import type { CpuCaptureOptions, CpuCaptureResult } from './types.ts';

export interface CpuProfilerOptions {
  /** Run the wall profiler all the time, rotating into the flight recorder. Off: start it per capture. */
  continuous: boolean;
  /** Sampling interval, µs. */
  intervalMicros: number;
  /** Length of one flight-recorder window, ms. */
  windowMillis: number;
  /** How far back the flight recorder reaches, ms. */
  recorderMillis: number;
  /** Memory budget of the flight recorder, bytes. */
  recorderMaxBytes: number;
  sourceMapper?: SourceMapper;
  /** Labels samples with the active span; undefined = no labels. */
  labeler?: SpanLabeler;
  onError: (error: unknown, what: string) => void;
}

interface Listener {
  add(window: ProfileWindow): void;
}

/** The stream followed window by window (see CpuProfiler.follow). */
export interface CpuFollower {
  /** Closes the current window and returns what was recorded since the last take, merged; undefined when nothing was. */
  take(): ProfileWindow | undefined;
  close(): void;
}

/**
 * The CPU/wall side of the one owner of `@datadog/pprof`. In continuous mode the time profiler starts once and is
 * rotated (`stop(true)`, which keeps V8's profiler running) every window into the flight recorder; a capture is cut from
 * that stream and never starts a second profiler. Otherwise a capture starts and stops the profiler itself. Either
 * way, one capture at a time: a second gets VIGIL_ERR_PROFILER_BUSY naming the one in progress.
 */
export class CpuProfiler {
  readonly #options: CpuProfilerOptions;
  readonly recorder: FlightRecorder;
  readonly #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | undefined;
  #windowStart = 0;
  #running = false;
  #busy: { id: string; startedAt: number } | undefined;

  constructor(options: CpuProfilerOptions) {
    this.#options = options;
    this.recorder = new FlightRecorder(options.recorderMillis, options.recorderMaxBytes);
  }

  get continuous(): boolean {
    return this.#options.continuous;
  }

  /** The capture in progress, if any. */
  get busy(): { id: string; startedAt: number } | undefined {
    return this.#busy;
  }

  start(): void {
    if (!this.#options.continuous) return;
    this.#startProfiler();
    this.#timer = setInterval(() => this.rotate(), this.#options.windowMillis);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#running) {
      this.#running = false;
      this.#options.labeler?.deactivate();
      try {
        time.stop(false);
      } catch (error) {
        this.#options.onError(error, 'stopping the time profiler');
      }
    }
    this.recorder.clear();
  }

  /** Closes the current window into the flight recorder (and into captures in progress). */
  rotate(): void {
    if (!this.#running) return;
    try {
      const end = Date.now();
      const profile = fromDatadog(time.stop(true, this.#generateLabels));
      const window: ProfileWindow = {
        startMillis: this.#windowStart,
        endMillis: end,
        profile,
        bytes: estimateBytes(profile),
      };
      this.#windowStart = end;
      this.recorder.push(window);
      for (const listener of this.#listeners) listener.add(window);
    } catch (error) {
      this.#options.onError(error, 'rotating the time profiler');
    }
  }

  async capture(request: CpuCaptureOptions): Promise<CpuCaptureResult> {
    if (this.#busy !== undefined) {
      throw new VigilError(
        ErrorCodes.PROFILER_BUSY,
        `a CPU capture is already in progress (${this.#busy.id}, started ${formatDuration(Date.now() - this.#busy.startedAt)} ago); retry when it ends`,
        { value: this.#busy.id }, // the running capture's id: what a 409 names
      );
    }
    const id = request.id ?? captureId();
    this.#busy = { id, startedAt: Date.now() };
    try {
      request.onStart?.(id);
    } catch (error) {
      this.#options.onError(error, "a capture's start callback");
    }
    try {
      return this.#options.continuous
        ? await this.#cutFromStream(id, request)
        : await this.#profileOnDemand(id, request);
    } finally {
      this.#busy = undefined;
    }
  }

  async #cutFromStream(id: string, request: CpuCaptureOptions): Promise<CpuCaptureResult> {
    const lookback = Math.max(0, request.lookbackMillis ?? 0);
    this.rotate(); // the capture starts on a window boundary
    const startMillis = Date.now();
    const windows = lookback > 0 ? this.recorder.between(startMillis - lookback, startMillis) : [];
    const listener: Listener = { add: (window) => windows.push(window) };
    // Taken now: by the end of a long capture the recorder may have dropped them.
    const firstMillis = windows[0]?.startMillis ?? startMillis;
    const baseline = request.baselineMillis
      ? this.recorder.endedBetween(firstMillis - request.baselineMillis, firstMillis)
      : [];
    this.#listeners.add(listener);
    try {
      await sleep(request.durationMillis, request.signal);
      this.rotate();
    } finally {
      this.#listeners.delete(listener);
    }
    if (windows.length === 0) {
      throw new VigilError(
        ErrorCodes.PROFILER_FAILED,
        'the continuous profiler produced no data for this capture; see the logs',
      );
    }
    return {
      id,
      profile: mergeProfiles(windows.map((w) => w.profile)),
      startMillis: windows[0]!.startMillis,
      endMillis: windows[windows.length - 1]!.endMillis,
      ...(baseline.length === 0
        ? {}
        : {
            baseline: {
              profile: mergeProfiles(baseline.map((w) => w.profile)),
              startMillis: baseline[0]!.startMillis,
              endMillis: baseline[baseline.length - 1]!.endMillis,
            },
          }),
    };
  }

  /**
   * Follows the continuous stream from now on, window by window, with no gap and no overlap between takes. Takes no
   * capture slot (a rotation is all it needs), so it runs beside an HTTP or triggered capture without delaying it.
   * What is held between takes is merged into one window past `maxBytes`, so a long period stays bounded.
   */
  follow(maxBytes: number): CpuFollower {
    this.rotate(); // the first take starts on a boundary: now
    let held: ProfileWindow[] = [];
    let heldBytes = 0;
    const listener: Listener = {
      add: (window) => {
        held.push(window);
        heldBytes += window.bytes;
        if (heldBytes > maxBytes && held.length > 1) {
          held = [mergeWindows(held)];
          heldBytes = held[0]!.bytes;
        }
      },
    };
    this.#listeners.add(listener);
    return {
      take: () => {
        this.rotate();
        const taken = held;
        held = [];
        heldBytes = 0;
        return taken.length === 0 ? undefined : taken.length === 1 ? taken[0] : mergeWindows(taken);
      },
      close: () => {
        this.#listeners.delete(listener);
        held = [];
      },
    };
  }

  async #profileOnDemand(id: string, request: CpuCaptureOptions): Promise<CpuCaptureResult> {
    const startMillis = Date.now();
    this.#startProfiler();
    try {
      await sleep(request.durationMillis, request.signal);
    } catch (error) {
      this.#stopOnDemand();
      throw error;
    }
    const profile = this.#stopOnDemand();
    return { id, profile, startMillis, endMillis: Date.now() };
  }

  get #generateLabels() {
    return this.#options.labeler === undefined || this.#options.labeler.mode === 'off' ? undefined : labelsFromContext;
  }

  #startProfiler(): void {
    time.start({
      intervalMicros: this.#options.intervalMicros,
      // The per-sample context buffer holds ~2 x durationMillis / interval entries: cover a whole window.
      durationMillis: this.#options.windowMillis,
      collectCpuTime: true,
      withContexts: true, // CPU time per sample lives in the context buffer
      useCPED: this.#options.labeler?.mode === 'cped',
      lineNumbers: false,
      sourceMapper: this.#options.sourceMapper,
    });
    this.#running = true;
    this.#windowStart = Date.now();
    this.#options.labeler?.activate();
  }

  #stopOnDemand(): Profile {
    this.#options.labeler?.deactivate();
    this.#running = false;
    return fromDatadog(time.stop(false, this.#generateLabels));
  }
}

/** Consecutive windows as one. */
function mergeWindows(windows: ProfileWindow[]): ProfileWindow {
  const profile = mergeProfiles(windows.map((w) => w.profile));
  return {
    startMillis: windows[0]!.startMillis,
    endMillis: windows[windows.length - 1]!.endMillis,
    profile,
    bytes: estimateBytes(profile),
  };
}

/** Resolves after `millis`, or rejects with VIGIL_ERR_PROFILER_CANCELED when the signal aborts. */
function sleep(millis: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const canceled = () =>
      new VigilError(ErrorCodes.PROFILER_CANCELED, 'the capture was canceled (the client went away)');
    if (signal?.aborted) {
      reject(canceled());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, millis);
    timer.unref();
    const onAbort = () => {
      clearTimeout(timer);
      reject(canceled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
