import type { Counter, DiagLogger, Meter } from '@opentelemetry/api';
import type { MetricNames } from '@vigil/core';
import type { CaptureRecorder } from '@vigil/profiler';
import type { CaptureReason } from '@vigil/store';
import { CaptureSlot } from './capture-slot.ts';
import { nameResolver } from './metric-names.ts';
import type { Rule } from './rule.ts';
import type { RuleMetricReader } from './rule-metric-reader.ts';
import { RuleSignal, type Snapshot } from './rule-signal.ts';

export interface EngineOptions {
  rules: readonly Rule[];
  /** The reader on the MeterProvider that rules read; without one, rules never fire (alerts still capture). */
  reader: RuleMetricReader | undefined;
  /** The naming mode the plugins record in: rules' OpenTelemetry names are mapped onto it. */
  names: MetricNames;
  captures: CaptureRecorder | undefined;
  /** Whether a CPU capture that is not the engine's (an HTTP one) holds the profiler. */
  cpuBusyElsewhere?: () => boolean;
  /** Evaluation period, ms. */
  intervalMillis: number;
  /** Captures allowed per rolling hour, all rules together. */
  capturesPerHour: number;
  /** Triggered captures stop while the store holds more than this, bytes. */
  diskBudgetBytes: number;
  /** A rule whose metric has not appeared this long after start is reported. Default 60 s. */
  missingAfterMillis?: number;
  meter: Meter;
  diag: DiagLogger;
  onError: (error: unknown, what: string) => void;
}

export type SkipReason =
  | 'cooldown'
  | 'budget'
  | 'disk'
  | 'no-store'
  | 'already-queued'
  | 'duplicate'
  | 'unknown-rule'
  | 'not-this-instance'
  | 'resolved';

/**
 * One firing: which rule, why, and what became of it. `started`: its captures are running; `queued`: a capture waits for
 * a busy slot and will run when it frees; `skipped`: nothing will run (see `skipped`); then `done` or `failed`.
 */
export interface Firing {
  rule: string;
  reason: CaptureReason;
  status: 'started' | 'queued' | 'skipped' | 'done' | 'failed';
  /** When the condition (held for `for`) was first met, epoch ms. */
  firedAt: number;
  /** When the first capture of the plan started, epoch ms. */
  captureStartedAt?: number;
  captureIds: string[];
  skipped?: SkipReason;
  /** What a queued capture waited for: the rule holding the slot, or `http` for a capture asked over HTTP. */
  waitedFor?: string;
}

/** Whether a rule can be evaluated: its metric seen and readable, still awaited, or reported as a problem. */
export interface RuleHealth {
  state: 'waiting' | 'ok' | 'missing' | 'invalid';
  problem?: string;
}

interface RuleState {
  signal: RuleSignal;
  health: RuleHealth;
  pendingSince: number | undefined;
  lastFiredAt: number;
  /** Relative rules: recent values (evaluation time, value) for the rolling average. */
  history: { at: number; value: number }[];
}

/**
 * Evaluates rules on the MeterProvider's metrics every interval (no scrape involved) and runs capture plans, behind
 * storm guards: per-rule cooldown, a captures-per-hour budget and a disk budget. A firing that meets a busy capture
 * slot is queued (one per rule) and runs when the slot frees; heap and handles captures have no slot and never wait.
 * Every firing, queueing and skip is counted and kept in `recent`.
 */
export class TriggerEngine {
  readonly #options: EngineOptions;
  readonly #state = new Map<string, RuleState>();
  readonly #recent: Firing[] = [];
  readonly #settled = new WeakMap<Firing, Promise<Firing>>();
  readonly #captureTimes: number[] = [];
  readonly #fired: Counter;
  readonly #skipped: Counter;
  readonly #queued: Counter;
  readonly #cpu: CaptureSlot;
  readonly #snapshots = new CaptureSlot();
  readonly #startedAt = Date.now();
  #timer: NodeJS.Timeout | undefined;
  #evaluating = false;
  #usage: { at: number; bytes: number } | undefined;

  constructor(options: EngineOptions) {
    this.#options = options;
    const resolve = nameResolver(options.names);
    for (const rule of options.rules) {
      this.#state.set(rule.name, {
        signal: new RuleSignal(rule.query, rule.thresholdKind, resolve),
        health: { state: 'waiting' },
        pendingSince: undefined,
        lastFiredAt: -Infinity,
        history: [],
      });
    }
    this.#cpu = new CaptureSlot(options.cpuBusyElsewhere);
    this.#fired = options.meter.createCounter('vigil.triggers.fired', {
      description: 'Rules that fired, by rule and source.',
    });
    this.#skipped = options.meter.createCounter('vigil.triggers.skipped', {
      description: 'Captures not taken, by rule and reason.',
    });
    this.#queued = options.meter.createCounter('vigil.triggers.queued', {
      description: 'Captures that waited for a busy slot, by rule and slot.',
    });
  }

  get rules(): readonly Rule[] {
    return this.#options.rules;
  }

  /** The latest firings, newest last (at most 50). */
  get recent(): readonly Firing[] {
    return this.#recent;
  }

  /** Each rule's health: whether its metric has appeared and can be read. */
  health(rule: string): RuleHealth | undefined {
    return this.#state.get(rule)?.health;
  }

  /** Captures waiting for a slot, by slot. */
  get queued(): { cpu: readonly string[]; heapsnapshot: readonly string[] } {
    return { cpu: this.#cpu.queued, heapsnapshot: this.#snapshots.queued };
  }

  start(): void {
    // The store's size is read before a capture may start: its first reading walks the store; do that walk now, so that
    // the first firing does not wait on it (the figure itself is read again when a rule fires).
    this.#options.captures?.store.usage().catch(() => undefined);
    if (this.#options.rules.length === 0 || this.#options.reader === undefined) return;
    this.#timer = setInterval(() => {
      if (this.#evaluating) return; // a collection slower than the interval: skip a tick rather than pile up
      this.#evaluating = true;
      this.evaluate(Date.now())
        .catch((error: unknown) => this.#options.onError(error, 'rule evaluation'))
        .finally(() => (this.#evaluating = false));
    }, this.#options.intervalMillis);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One evaluation of every rule on one collection of the MeterProvider; exposed for tests. */
  async evaluate(now: number): Promise<void> {
    this.#cpu.drain(); // an HTTP capture that held the profiler may have ended
    this.#snapshots.drain();
    const reader = this.#options.reader;
    if (reader === undefined) return;
    this.evaluateSnapshot(await reader.snapshot(), now);
  }

  /** Evaluates every rule on a collection already made; exposed for tests. */
  evaluateSnapshot(snapshot: Snapshot, now: number): void {
    for (const rule of this.#options.rules) {
      const state = this.#state.get(rule.name)!;
      const reading = state.signal.read(snapshot, now);
      this.#track(
        rule,
        state,
        reading.kind === 'invalid' ? reading.problem : undefined,
        reading.kind !== 'absent',
        now,
      );
      if (reading.kind !== 'value' || !Number.isFinite(reading.value)) {
        if (reading.kind !== 'no-data') state.pendingSince = undefined;
        continue;
      }
      const value = reading.value;
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

  /**
   * Runs a rule's capture plan (a rule that fired, or an alert naming it), unless a guard says no. Resolves as soon as
   * the outcome is known — `started`, `queued` or `skipped` — not when the captures end (see `settled`).
   */
  async fire(rule: Rule, reason: CaptureReason, firedAt = Date.now()): Promise<Firing> {
    const firing: Firing = { rule: rule.name, reason, status: 'skipped', firedAt, captureIds: [] };
    this.#remember(firing);
    this.#fired.add(1, { rule: rule.name, source: reason.kind });
    const state = this.#state.get(rule.name)!;
    // The synchronous guards reserve the cooldown and the budget before anything awaits: two firings of one rule
    // arriving together cannot both pass.
    let skip = this.#guardNow(rule, state, firedAt);
    if (skip === undefined) {
      const previous = state.lastFiredAt;
      state.lastFiredAt = firedAt;
      this.#captureTimes.push(firedAt);
      if ((await this.#storeBytes(firedAt)) > this.#options.diskBudgetBytes) {
        state.lastFiredAt = previous;
        this.#captureTimes.splice(this.#captureTimes.lastIndexOf(firedAt), 1);
        skip = 'disk';
      }
    }
    if (skip !== undefined) {
      firing.skipped = skip;
      this.skip(rule.name, skip);
      this.#settled.set(firing, Promise.resolve(firing));
      return firing;
    }
    firing.status = 'started';
    this.#settled.set(firing, this.#runPlan(rule, reason, firing));
    return firing;
  }

  /** Resolves when the firing's captures have all run (or at once for a skipped firing). */
  settled(firing: Firing): Promise<Firing> {
    return this.#settled.get(firing) ?? Promise.resolve(firing);
  }

  /** Counts and logs (debug) a capture not taken. */
  skip(rule: string, reason: SkipReason): void {
    this.#skipped.add(1, { rule, reason });
    this.#options.diag.debug(`rule ${rule}: capture skipped (${reason})`);
  }

  async #runPlan(rule: Rule, reason: CaptureReason, firing: Firing): Promise<Firing> {
    const captures = this.#options.captures!;
    const plan = rule.capture;
    const started = () => (firing.captureStartedAt ??= Date.now());
    const guarded = async (what: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (error) {
        firing.status = 'failed';
        this.#options.onError(error, `${what} capture of rule ${rule.name}`);
      }
    };
    const queued = (slot: CaptureSlot, name: string) => () => {
      firing.status = 'queued';
      firing.waitedFor = slot.holder ?? 'http';
      this.#queued.add(1, { rule: rule.name, slot: name });
      this.#options.diag.debug(`rule ${rule.name}: ${name} capture queued behind ${firing.waitedFor}`);
    };
    const parts: Promise<void>[] = [];
    // Heap and handles profiles are read in a moment and share nothing with the CPU profiler: they never wait.
    if (plan.heap)
      parts.push(
        guarded(
          'heap',
          async () => void firing.captureIds.push((started(), await captures.captureHeap(reason)).metadata.id),
        ),
      );
    if (plan.handles)
      parts.push(
        guarded(
          'handles',
          async () => void firing.captureIds.push((started(), await captures.captureHandles(reason)).metadata.id),
        ),
      );
    if (plan.cpuMillis > 0) {
      const run = () =>
        guarded('cpu', async () => {
          if (firing.status === 'queued') firing.status = 'started';
          await captures.captureCpu({
            durationMillis: plan.cpuMillis,
            lookbackMillis: plan.lookbackMillis,
            reason,
            onStart: (id) => {
              started();
              firing.captureIds.push(id);
            },
          });
        });
      parts.push(this.#cpu.submit(rule.name, run, queued(this.#cpu, 'cpu')));
    }
    if (plan.heapsnapshot) {
      const run = async () => {
        if (firing.status === 'queued') firing.status = 'started';
        const snapshot = await captures.captureHeapSnapshot(reason).catch((error: unknown) => {
          this.#options.diag.warn(`rule ${rule.name}: heap snapshot not taken: ${(error as Error).message}`);
          return undefined;
        });
        if (snapshot) firing.captureIds.push((started(), snapshot.metadata.id));
      };
      parts.push(this.#snapshots.submit(rule.name, run, queued(this.#snapshots, 'heapsnapshot')));
    }
    await Promise.all(parts);
    if (firing.status !== 'failed') firing.status = 'done';
    return firing;
  }

  #guardNow(rule: Rule, state: RuleState, now: number): SkipReason | undefined {
    if (this.#options.captures === undefined) return 'no-store';
    if (this.#cpu.isQueued(rule.name) || this.#snapshots.isQueued(rule.name)) return 'already-queued';
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

  /** Keeps each rule's health, and says once when a metric is still missing, or cannot be read, and why. */
  #track(rule: Rule, state: RuleState, problem: string | undefined, present: boolean, now: number): void {
    const before = state.health.state;
    if (problem !== undefined) state.health = { state: 'invalid', problem };
    else if (present) state.health = { state: 'ok' };
    else if (before === 'waiting' && now - this.#startedAt >= (this.#options.missingAfterMillis ?? 60_000)) {
      state.health = {
        state: 'missing',
        problem: `no series of ${rule.metric} has appeared in ${Math.round((now - this.#startedAt) / 1_000)} s: check the instrument's OpenTelemetry name and the attribute matchers (docs/triggers.md)`,
      };
    }
    if (state.health.state !== before && state.health.problem !== undefined)
      this.#options.diag.warn(`rule ${rule.name}: ${state.health.problem}; the rule is idle until then`);
  }

  #crossed(rule: Rule, state: RuleState, value: number, now: number): boolean {
    if (rule.relative === undefined)
      return rule.direction === 'above' ? value > rule.threshold : value < rule.threshold;
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
