/** A capture waiting for its slot, at most one per rule. */
interface Waiting {
  rule: string;
  run: () => Promise<void>;
}

/**
 * One kind of capture that runs one at a time (the CPU profiler; heap snapshots), with a queue of at most one waiting
 * capture per rule: a firing that meets a busy slot is kept, not dropped, and runs when the slot frees. `busyElsewhere`
 * says whether someone outside the engine holds it (an HTTP capture of the same profiler).
 */
export class CaptureSlot {
  readonly #busyElsewhere: () => boolean;
  readonly #waiting: Waiting[] = [];
  #running: string | undefined;

  constructor(busyElsewhere: () => boolean = () => false) {
    this.#busyElsewhere = busyElsewhere;
  }

  get busy(): boolean {
    return this.#running !== undefined || this.#busyElsewhere();
  }

  /** The rule whose capture holds the slot, if the engine holds it. */
  get holder(): string | undefined {
    return this.#running;
  }

  get queued(): readonly string[] {
    return this.#waiting.map((w) => w.rule);
  }

  isQueued(rule: string): boolean {
    return this.#waiting.some((w) => w.rule === rule);
  }

  /** Runs now when free, else queues; resolves when the capture has run. `onQueued` is called if it had to wait. */
  submit(rule: string, run: () => Promise<void>, onQueued: () => void): Promise<void> {
    if (!this.busy) return this.#run(rule, run);
    onQueued();
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ rule, run: () => run().then(resolve, reject) });
    });
  }

  /** Starts the next waiting capture if the slot is free (called when a capture ends and on every evaluation). */
  drain(): void {
    if (this.busy) return;
    const next = this.#waiting.shift();
    if (next) void this.#run(next.rule, next.run);
  }

  async #run(rule: string, run: () => Promise<void>): Promise<void> {
    this.#running = rule;
    try {
      await run();
    } finally {
      this.#running = undefined;
      this.drain();
    }
  }
}
