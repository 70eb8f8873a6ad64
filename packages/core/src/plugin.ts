import type { DiagLogger, Meter } from '@opentelemetry/api';

/**
 * A typed capability token: a plugin `provide`s an implementation, others `use` it without importing its internals.
 * Tokens with the same name are the same capability, even across two installed copies of a package.
 */
export interface Capability<T> {
  readonly key: symbol;
  readonly name: string;
  /** Phantom field carrying the type; never set. */
  readonly type?: T;
}

export function defineCapability<T>(name: string): Capability<T> {
  return Object.freeze({ key: Symbol.for(`vigil.capability.${name}`), name });
}

export interface PluginContext {
  /** A meter scoped to this plugin (its name and version). */
  readonly meter: Meter;
  /** A component logger (`namespace` = the plugin's name). */
  readonly diag: DiagLogger;
  /** Aborted when the host stops. */
  readonly signal: AbortSignal;
  provide<T>(capability: Capability<T>, implementation: T): void;
  use<T>(capability: Capability<T>): T | undefined;
  /**
   * Logs an error raised inside Vigil and counts it in `vigil.errors{component}`. Never throws: the host app must
   * keep running whatever Vigil does.
   */
  reportError(error: unknown, what?: string): void;
  /** Wraps a callback so that an exception in it is reported, not thrown into the caller. */
  guard: Guard;
}

export interface VigilPlugin {
  readonly name: string;
  readonly version: string;
  /** The instrumentation scope of the plugin's meter: its package name (default: `name`). */
  readonly scope?: string;
  /** Plugins that must start first; a missing one is an error at start, a failed one disables this plugin too. */
  readonly dependencies?: readonly string[];
  start(ctx: PluginContext): void | Promise<void>;
  /** Called once, in reverse start order. */
  stop?(): void | Promise<void>;
}

export type PluginState = 'pending' | 'running' | 'failed' | 'skipped' | 'stopped';

/** Wraps a callback so that an exception in it is reported (logged and counted), never thrown into the caller. */
export type Guard = <A extends unknown[]>(fn: (...args: A) => void, what: string) => (...args: A) => void;
