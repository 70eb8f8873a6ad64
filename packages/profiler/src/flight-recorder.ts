import type { Profile } from 'pprof-format';

/** One rotation of the continuous profiler: the samples taken between `startMillis` and `endMillis` (epoch ms). */
export interface ProfileWindow {
  startMillis: number;
  endMillis: number;
  profile: Profile;
  /** Rough in-memory size, for the ring's budget. */
  bytes: number;
}

/**
 * The ring of recent profile windows: what makes a capture able to include the seconds *before* it was asked for.
 * Bounded by age and by an estimate of its memory.
 */
export class FlightRecorder {
  readonly #windows: ProfileWindow[] = [];
  readonly #maxAgeMillis: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxAgeMillis: number, maxBytes: number) {
    this.#maxAgeMillis = maxAgeMillis;
    this.#maxBytes = maxBytes;
  }

  push(window: ProfileWindow): void {
    this.#windows.push(window);
    this.#bytes += window.bytes;
    const oldest = window.endMillis - this.#maxAgeMillis;
    while (this.#windows.length > 1 && (this.#windows[0]!.endMillis <= oldest || this.#bytes > this.#maxBytes)) {
      this.#bytes -= this.#windows.shift()!.bytes;
    }
  }

  /** Windows that overlap [fromMillis, toMillis]. */
  between(fromMillis: number, toMillis: number): ProfileWindow[] {
    return this.#windows.filter((w) => w.endMillis > fromMillis && w.startMillis < toMillis);
  }

  /** Windows that ended by `toMillis` and after `fromMillis`: the recorder's normal before a moment. */
  endedBetween(fromMillis: number, toMillis: number): ProfileWindow[] {
    return this.#windows.filter((w) => w.endMillis > fromMillis && w.endMillis <= toMillis);
  }

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#windows.length;
  }

  /** Start of the oldest window held (epoch ms), or undefined when empty. */
  get oldestMillis(): number | undefined {
    return this.#windows[0]?.startMillis;
  }

  clear(): void {
    this.#windows.length = 0;
    this.#bytes = 0;
  }
}

/** An estimate of a decoded profile's memory: objects per sample, location and function, plus the strings. */
export function estimateBytes(profile: Profile): number {
  let bytes = 0;
  for (const s of profile.sample) bytes += 96 + s.locationId.length * 8 + s.value.length * 8 + s.label.length * 48;
  bytes += profile.location.length * 120 + profile.function.length * 80;
  for (const str of profile.stringTable.strings) bytes += 40 + str.length * 2;
  return bytes;
}
