import { monitorEventLoopDelay, performance, type EventLoopUtilization, type ELDHistogram } from 'node:perf_hooks';

/** Event-loop delay over a recent window, in seconds, net of the sampling resolution. */
export interface DelayStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
  /** Share of the window the loop spent running JS (0..1). */
  utilization: number;
  /** The window actually covered, in milliseconds (shorter than asked just after start). */
  coveredMillis: number;
}

interface Slice {
  endedAt: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  /** The slice's distribution as weighted points, from the histogram's percentile iteration. */
  values: Float64Array;
  weights: Float64Array;
  /** Cumulative utilization counters at the slice's end. */
  elu: EventLoopUtilization;
}

export interface DelayWindowOptions {
  /** Sampling resolution of `monitorEventLoopDelay`, ms. */
  resolutionMillis: number;
  /** Length of one slice of the ring, ms. */
  sliceMillis: number;
  /** Longest window a reader may ask for, ms. */
  maxWindowMillis: number;
}

/**
 * A sliding window over `monitorEventLoopDelay`, built so that no stall is ever lost and readers never interfere.
 *
 * The common pattern — read the histogram, then `reset()` it inside each metric collection — loses a stall whose sample
 * lands between a read and its reset, and lets two readers (two exporters, or a scrape and a trigger) each see only
 * part of the window. Here only the slice timer resets the histogram, folding it into a ring in the same synchronous
 * turn, so every sample lands in exactly one slice. Reading merges the ring with the live histogram and mutates
 * nothing, so any number of readers see the same, complete window.
 */
export class DelayWindow {
  readonly #histogram: ELDHistogram;
  readonly #options: DelayWindowOptions;
  readonly #ring: Slice[] = [];
  readonly #capacity: number;
  readonly #startedAt = performance.now();
  readonly #startElu = performance.eventLoopUtilization();
  #timer: NodeJS.Timeout | undefined;
  #cached: { at: number; windowMillis: number; stats: DelayStats } | undefined;

  constructor(options: DelayWindowOptions) {
    this.#options = options;
    this.#capacity = Math.ceil(options.maxWindowMillis / options.sliceMillis) + 1;
    this.#histogram = monitorEventLoopDelay({ resolution: options.resolutionMillis });
  }

  start(onError: (error: unknown) => void): void {
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      try {
        this.#rotate();
      } catch (error) {
        onError(error);
      }
    }, this.#options.sliceMillis);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  /** Completed slices in the ring: one more per rotation, up to its capacity. Lets a reader see that a rotation happened. */
  get slices(): number {
    return this.#ring.length;
  }

  /** Cumulative event-loop utilization counters since the process started (ms). */
  totals(): EventLoopUtilization {
    return performance.eventLoopUtilization();
  }

  /** Stats over the last `windowMillis` (at most `maxWindowMillis`), including the slice in progress. */
  read(windowMillis = this.#options.maxWindowMillis): DelayStats {
    const now = performance.now();
    // One collection reads several times (delay, utilization, a rule): within 50 ms, the same answer.
    const cached = this.#cached;
    if (cached !== undefined && cached.windowMillis === windowMillis && now - cached.at < 50) return cached.stats;
    const stats = this.#compute(windowMillis, now);
    this.#cached = { at: now, windowMillis, stats };
    return stats;
  }

  #compute(windowMillis: number, now: number): DelayStats {
    const since = now - Math.min(windowMillis, this.#options.maxWindowMillis);
    const slices = this.#ring.filter((s) => s.endedAt > since);
    const live = this.#sliceOf(this.#histogram, now, performance.eventLoopUtilization());
    slices.push(live);

    const firstIndex = this.#ring.length - (slices.length - 1) - 1;
    const startElu = firstIndex >= 0 ? this.#ring[firstIndex]!.elu : this.#startElu;
    const windowStart = firstIndex >= 0 ? this.#ring[firstIndex]!.endedAt : this.#startedAt;
    const utilization = performance.eventLoopUtilization(live.elu, startElu).utilization;
    return { ...this.#merge(slices), utilization, coveredMillis: now - windowStart };
  }

  #rotate(): void {
    // Read and reset in one synchronous turn: the histogram cannot record a sample in between.
    const slice = this.#sliceOf(this.#histogram, performance.now(), performance.eventLoopUtilization());
    this.#histogram.reset();
    this.#cached = undefined;
    this.#ring.push(slice);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
  }

  #sliceOf(h: ELDHistogram, endedAt: number, elu: EventLoopUtilization): Slice {
    const count = h.count;
    if (count === 0) {
      return { endedAt, count, min: 0, max: 0, mean: 0, stddev: 0, values: EMPTY, weights: EMPTY, elu };
    }
    const points = h.percentiles;
    const values = new Float64Array(points.size);
    const weights = new Float64Array(points.size);
    let i = 0;
    let previous = 0;
    let sum = 0;
    let sumSquares = 0;
    for (const [percentile, value] of points) {
      const weight = (count * (percentile - previous)) / 100;
      values[i] = value;
      weights[i] = weight;
      sum += weight * value;
      sumSquares += weight * value * value;
      previous = percentile;
      i++;
    }
    // Mean and deviation from the distribution's points (within the histogram's ~1 % precision): the histogram's own
    // stddev getter walks every bucket and cost 210 µs a call, most of a scrape.
    const mean = sum / count;
    const stddev = Math.sqrt(Math.max(0, sumSquares / count - mean * mean));
    return { endedAt, count, min: h.min, max: h.max, mean, stddev, values, weights, elu };
  }

  #merge(slices: readonly Slice[]): Omit<DelayStats, 'utilization' | 'coveredMillis'> {
    let count = 0;
    let min = Infinity;
    let max = 0;
    let sum = 0;
    let sumSquares = 0;
    let points = 0;
    for (const s of slices) {
      if (s.count === 0) continue;
      count += s.count;
      min = Math.min(min, s.min);
      max = Math.max(max, s.max);
      sum += s.count * s.mean;
      sumSquares += s.count * (s.stddev * s.stddev + s.mean * s.mean);
      points += s.values.length;
    }
    if (count === 0) return { count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 };

    // Percentiles over the window: sort the weighted points of every slice and walk their cumulative weight.
    const order = new Float64Array(points);
    const weightOf = new Map<number, number>();
    let k = 0;
    for (const s of slices) {
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i]!;
        order[k++] = v;
        weightOf.set(v, (weightOf.get(v) ?? 0) + s.weights[i]!);
      }
    }
    order.sort();
    const quantile = (q: number): number => {
      const target = q * count;
      let cumulative = 0;
      let last = 0;
      for (let i = 0; i < order.length; i++) {
        const v = order[i]!;
        if (v === last && i > 0) continue;
        last = v;
        cumulative += weightOf.get(v)!;
        if (cumulative >= target) return v;
      }
      return max;
    };

    const mean = sum / count;
    const resolution = this.#options.resolutionMillis * 1e6;
    const seconds = (ns: number): number => Math.max(0, ns - resolution) / 1e9;
    return {
      count,
      min: seconds(min),
      max: seconds(max),
      mean: seconds(mean),
      stddev: Math.sqrt(Math.max(0, sumSquares / count - mean * mean)) / 1e9,
      p50: seconds(quantile(0.5)),
      p90: seconds(quantile(0.9)),
      p99: seconds(quantile(0.99)),
    };
  }
}

const EMPTY = new Float64Array(0);
