import type { DiagLogger } from '@opentelemetry/api';
import type { OptionsOf, ResolvedOf, VigilPlugin } from '@vigil/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { RuleInput } from '@vigil/triggers';
import type { configSpec } from './config.ts';

/**
 * Options of `start()`: the settings of configSpec (config.ts), each with its environment variable, default, parser and
 * doc line there (docs/configuration.md is generated from it), plus the objects below. Code wins over environment.
 */
export interface VigilOptions extends OptionsOf<ReturnType<typeof configSpec>> {
  /** Trigger rules, in code ([triggers.md](triggers.md)); a rule named like a default one replaces it. */
  rules?: RuleInput[];
  /**
   * Span processors for Vigil's tracer provider (e.g. a BatchSpanProcessor with your exporter), besides those that
   * `OTEL_TRACES_EXPORTER` names. Not used when the app registered its own tracer provider: add them to it.
   */
  spanProcessors?: SpanProcessor[];
  /** Your own instrumentations, registered with the global tracer provider (Vigil's, or the app's own). */
  instrumentations?: Instrumentation[];
  /** Your own `DiagLogger`, instead of the console. */
  diagLogger?: DiagLogger;
  /** Extra plugins, started after Vigil's own. */
  plugins?: VigilPlugin[];
}

/** What `start()` resolves to. */
export interface VigilHandle {
  /** The resolved configuration, frozen. */
  readonly config: Readonly<ResolvedConfig>;
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly metricsUrl: string | undefined;
  /** Base URL of the debug endpoints, e.g. `http://127.0.0.1:6060`; undefined when off. */
  readonly debugUrl: string | undefined;
  /** Stops plugins and servers and flushes providers. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** The resolved, frozen configuration: one field per setting of the spec in config.ts, parsed. */
export type ResolvedConfig = ResolvedOf<ReturnType<typeof configSpec>>;
