/**
 * The trend of heap used after major GCs, in bytes per second: the leak signal. Heap used between GCs saws up and down
 * with garbage; right after a major GC it is close to the live set, so a steady rise there means retained memory.
 */
export class HeapGrowth {
  readonly #windowMillis: number;
  readonly #capacity: number;
  readonly #times: number[] = [];
  readonly #bytes: number[] = [];

  constructor(windowMillis: number, capacity = 256) {
    this.#windowMillis = windowMillis;
    this.#capacity = capacity;
  }

  /** Records heap used right after a major GC. */
  record(atMillis: number, usedBytes: number): void {
    this.#times.push(atMillis);
    this.#bytes.push(usedBytes);
    while (this.#times.length > this.#capacity || this.#times[0]! < atMillis - this.#windowMillis) {
      this.#times.shift();
      this.#bytes.shift();
    }
  }

  get points(): number {
    return this.#times.length;
  }

  /** Least-squares slope over the window, bytes/s; 0 until three major GCs have been seen. */
  rate(): number {
    const n = this.#times.length;
    if (n < 3) return 0;
    let meanT = 0;
    let meanB = 0;
    for (let i = 0; i < n; i++) {
      meanT += this.#times[i]!;
      meanB += this.#bytes[i]!;
    }
    meanT /= n;
    meanB /= n;
    let covariance = 0;
    let variance = 0;
    for (let i = 0; i < n; i++) {
      const dt = this.#times[i]! - meanT;
      covariance += dt * (this.#bytes[i]! - meanB);
      variance += dt * dt;
    }
    return variance === 0 ? 0 : (covariance / variance) * 1_000;
  }
}
