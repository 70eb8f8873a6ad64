import type { Counter, DiagLogger, Meter } from '@opentelemetry/api';
import type { CaptureRecorder } from '@vigil/profiler';
import type { CaptureReason } from '@vigil/store';
import { readMetric, type MetricReaders } from './metrics.ts';
import type { Rule } from './rule.ts';

export interface EngineOptions {
  rules: readonly Rule[];
  readers: MetricReaders;
  captures: CaptureRecorder | undefined;
  /** Evaluation period, ms. */
  intervalMillis: number;
  /** Captures allowed per rolling hour, all rules together. */
  capturesPerHour: number;
  /** Triggered captures stop while the store holds more than this, bytes. */
  diskBudgetBytes: number;
  meter: Meter;
  diag: DiagLogger;
  onError: (error: unknown, what: string) => void;
}

export type SkipReason = 'busy' | 'cooldown' | 'budget' | 'disk' | 'no-store' | 'duplicate' | 'unknown-rule' | 'not-this-instance' | 'resolved';

/** One firing: which rule, why, and what was captured (or why not). */
export interface Firing {
  rule: string;
  reason: CaptureReason;
  /** When the condition (held for `for`) was first met, epoch ms. */
  firedAt: number;
  /** When the first capture of the plan started, epoch ms. */
  captureStartedAt?: number;
  captureIds: string[];
  skipped?: SkipReason;
}

interface RuleState {
  pendingSince: number | undefined;
  lastFiredAt: number;
  /** Relative rules: recent values (evaluation time, value) for the rolling average. */
  history: { at: number; value: number }[];
}

/**
 * Evaluates rules on Vigil's own metric values every interval (no scrape involved) and runs capture plans, behind storm
 * guards: one capture at a time, per-rule cooldown, a captures-per-hour budget and a disk budget. Every skip is
 * counted by reason and logged at debug level.
 */
export class TriggerEngine {
  readonly #options: EngineOptions;
  readonly #state = new Map<string, RuleState>();
  readonly #recent: Firing[] = [];
  readonly #captureTimes: number[] = [];
  readonly #fired: Counter;
  readonly #skipped: Counter;
  #busy = false;
  #timer: NodeJS.Timeout | undefined;
  #usage: { at: number; bytes: number } | undefined;

  constructor(options: EngineOptions) {
    this.#options = options;
    for (const rule of options.rules) this.#state.set(rule.name, { pendingSince: undefined, lastFiredAt: -Infinity, history: [] });
    this.#fired = options.meter.createCounter('vigil.triggers.fired', { description: 'Rules that fired, by rule and source.' });
    this.#skipped = options.meter.createCounter('vigil.triggers.skipped', { description: 'Captures not taken, by rule and reason.' });
  }

  get rules(): readonly Rule[] {
    return this.#options.rules;
  }

  /** The latest firings, newest last (at most 50). */
  get recent(): readonly Firing[] {
    return this.#recent;
  }

  start(): void {
    this.#timer = setInterval(() => {
      try {
        this.evaluate(Date.now());
      } catch (error) {
        this.#options.onError(error, 'rule evaluation');
      }
    }, this.#options.intervalMillis);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One evaluation of every rule; exposed for tests. */
  evaluate(now: number): void {
    for (const rule of this.#options.rules) {
      const value = readMetric(rule.metric, this.#options.readers);
      if (value === undefined || !Number.isFinite(value)) continue;
      const state = this.#state.get(rule.name)!;
      if (!this.#crossed(rule, state, value, now)) {
        state.pendingSince = undefined;
        continue;
      }
      state.pendingSince ??= now;
      if (now - state.pendingSince < rule.forMillis) continue;
      state.pendingSince = undefined;
      void this.fire(rule, { kind: 'rule', name: rule.name, value, threshold: this.#thresholdOf(rule, state) }, now);
    }
  }

  /** Runs a rule's capture plan now (a rule that fired, or an alert naming it), unless a guard says no. */
  async fire(rule: Rule, reason: CaptureReason, firedAt = Date.now()): Promise<Firing> {
    const firing: Firing = { rule: rule.name, reason, firedAt, captureIds: [] };
    this.#remember(firing);
    this.#fired.add(1, { rule: rule.name, source: reason.kind });
    const state = this.#state.get(rule.name)!;
    // The synchronous guards claim the capture slot before anything awaits: two rules firing together cannot both pass.
    let skip = this.#guardNow(rule, state, firedAt);
    if (skip === undefined) {
      this.#busy = true;
      if ((await this.#storeBytes(firedAt)) > this.#options.diskBudgetBytes) {
        this.#busy = false;
        skip = 'disk';
      }
    }
    if (skip !== undefined) {
      firing.skipped = skip;
      this.skip(rule.name, skip);
      return firing;
    }
    state.lastFiredAt = firedAt;
    this.#captureTimes.push(firedAt);
    try {
      await this.#runPlan(rule, reason, firing);
    } catch (error) {
      this.#options.onError(error, `capture plan of rule ${rule.name}`);
    } finally {
      this.#busy = false;
    }
    return firing;
  }

  /** Counts and logs (debug) a capture not taken. */
  skip(rule: string, reason: SkipReason): void {
    this.#skipped.add(1, { rule, reason });
    this.#options.diag.debug(`rule ${rule}: capture skipped (${reason})`);
  }

  async #runPlan(rule: Rule, reason: CaptureReason, firing: Firing): Promise<void> {
    const captures = this.#options.captures!;
    const plan = rule.capture;
    const started = () => (firing.captureStartedAt ??= Date.now());
    if (plan.cpuMillis > 0) {
      const stored = await captures.captureCpu({
        durationMillis: plan.cpuMillis,
        lookbackMillis: plan.lookbackMillis,
        reason,
        onStart: (id) => {
          started();
          firing.captureIds.push(id);
        },
      });
      void stored;
    }
    if (plan.heap) firing.captureIds.push((started(), await captures.captureHeap(reason)).metadata.id);
    if (plan.handles) firing.captureIds.push((started(), await captures.captureHandles(reason)).metadata.id);
    if (plan.heapsnapshot) {
      const snapshot = await captures.captureHeapSnapshot(reason).catch((error: unknown) => {
        this.#options.diag.warn(`rule ${rule.name}: heap snapshot not taken: ${(error as Error).message}`);
        return undefined;
      });
      if (snapshot) firing.captureIds.push(snapshot.metadata.id);
    }
  }

  #guardNow(rule: Rule, state: RuleState, now: number): SkipReason | undefined {
    if (this.#options.captures === undefined) return 'no-store';
    if (this.#busy) return 'busy';
    if (now - state.lastFiredAt < rule.cooldownMillis) return 'cooldown';
    while (this.#captureTimes.length > 0 && this.#captureTimes[0]! < now - 3_600_000) this.#captureTimes.shift();
    if (this.#captureTimes.length >= this.#options.capturesPerHour) return 'budget';
    return undefined;
  }

  /** The store's size, re-read at most once a minute (it means listing the store). */
  async #storeBytes(now: number): Promise<number> {
    if (this.#usage === undefined || now - this.#usage.at > 60_000) {
      const usage = await this.#options.captures!.store.usage().catch(() => ({ bytes: 0, count: 0 }));
      this.#usage = { at: now, bytes: usage.bytes };
    }
    return this.#usage.bytes;
  }

  #crossed(rule: Rule, state: RuleState, value: number, now: number): boolean {
    if (rule.relative === undefined) return rule.direction === 'above' ? value > rule.threshold : value < rule.threshold;
    const { rise, windowMillis, floor } = rule.relative;
    const history = state.history;
    history.push({ at: now, value });
    while (history.length > 0 && history[0]!.at < now - windowMillis) history.shift();
    // Not before half a window of history: a rolling average of a few seconds says nothing about a trend.
    if (now - history[0]!.at < windowMillis / 2) return false;
    const average = history.reduce((sum, h) => sum + h.value, 0) / history.length;
    return value > floor && value > average * (1 + rise);
  }

  #thresholdOf(rule: Rule, state: RuleState): number {
    if (rule.relative === undefined) return rule.threshold;
    const average = state.history.reduce((sum, h) => sum + h.value, 0) / Math.max(1, state.history.length);
    return Math.max(rule.relative.floor, average * (1 + rule.relative.rise));
  }

  #remember(firing: Firing): void {
    this.#recent.push(firing);
    if (this.#recent.length > 50) this.#recent.shift();
  }
}
