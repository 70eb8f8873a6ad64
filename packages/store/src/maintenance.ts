import type { ErrorReporter } from './internal-types.ts';

/**
 * Runs a store's upkeep (retention, index merges) after writes: at most once per interval, never two at once, and
 * always once more after the last write of a burst, so that a burst is cleaned up when it ends rather than at the next
 * write. The timer is unref()ed: it never keeps the process alive.
 */
export class Maintenance {
  readonly #run: () => Promise<void>;
  readonly #intervalMillis: number;
  readonly #report: ErrorReporter;
  #lastStart = -Infinity;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pending = false;

  constructor(run: () => Promise<void>, intervalMillis: number, report: ErrorReporter) {
    this.#run = run;
    this.#intervalMillis = intervalMillis;
    this.#report = report;
  }

  /** Asks for a run: now if the last one was long enough ago, else at the end of the interval. */
  request(): void {
    this.#pending = true;
    if (this.#running !== undefined || this.#timer !== undefined) return;
    const wait = this.#lastStart + this.#intervalMillis - performance.now();
    if (wait <= 0) this.#start();
    else this.#timer = setTimeout(() => this.#start(), wait).unref();
  }

  /** Resolves once no run is in progress or waiting (a run asked for meanwhile is waited for too). */
  async idle(): Promise<void> {
    while (this.#running !== undefined || this.#timer !== undefined) {
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#start();
      }
      await this.#running;
    }
  }

  /** Stops the timer; a run in progress finishes. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = false;
  }

  #start(): void {
    this.#timer = undefined;
    this.#pending = false;
    this.#lastStart = performance.now();
    this.#running = this.#run()
      .catch((error: unknown) => this.#report(error, 'store upkeep'))
      .finally(() => {
        this.#running = undefined;
        if (this.#pending) this.request();
      });
  }
}
