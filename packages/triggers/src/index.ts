import { defineCapability, type Capability, type MetricNames, type VigilPlugin } from '@vigil/core';
import { EVENT_LOOP_PLUGIN } from '@vigil/plugin-event-loop';
import { HEAP_PLUGIN } from '@vigil/plugin-heap';
import { CapturesCapability, PROFILER_PLUGIN, ProfilerCapability } from '@vigil/profiler';
import { SeenAlerts, handleAlerts, type AlertsResult, type Identity } from './alertmanager.ts';
import { TRIGGER_DEFAULTS } from './defaults.ts';
import { TriggerEngine } from './engine.ts';
import type { Rule } from './rule.ts';
import type { RuleMetricReader } from './rule-metric-reader.ts';
import pkg from '../package.json' with { type: 'json' };

export { parseRules } from './rule.ts';
export type { CapturePlan, Rule, RuleInput } from './rule.ts';
export { loadRulesFile } from './rules-file.ts';
export { DEFAULT_RULES } from './default-rules.ts';
export { TRIGGER_DEFAULTS } from './defaults.ts';
export { exportPrometheusRules, alertName } from './prometheus-export.ts';
export { RuleMetricReader, ruleMetricReader } from './rule-metric-reader.ts';
export { parseQuery, formatQuery } from './metric-query.ts';
export type { Matcher, MetricQuery, Selector, Stat } from './metric-query.ts';
export { TriggerEngine } from './engine.ts';
export type { Firing, RuleHealth, SkipReason } from './engine.ts';
export { PayloadError } from './alertmanager.ts';
export type { AlertsResult } from './alertmanager.ts';

/** What the debug server calls for Alertmanager's webhook, and what tests read. */
export interface TriggersService {
  readonly engine: TriggerEngine;
  /** Handles a webhook body once each alert's outcome is known; rejects with a PayloadError (a 400) when malformed. */
  handleAlerts(body: string): Promise<AlertsResult>;
}

export const TriggersCapability: Capability<TriggersService> = defineCapability<TriggersService>('triggers');

export interface TriggersOptions {
  rules: readonly Rule[];
  /** The reader the sdk passed into the MeterProvider's readers (see `ruleMetricReader()`): what rules read. */
  reader?: RuleMetricReader;
  /** The naming mode the runtime plugins record in. Default `otel`. */
  names?: MetricNames;
  intervalMillis?: number;
  capturesPerHour?: number;
  diskBudgetBytes?: number;
  identity: Identity;
}

/** The plugin's name, which other plugins list in their dependencies. */
export const TRIGGERS_PLUGIN = 'triggers';

export function triggers(options: TriggersOptions): VigilPlugin {
  let engine: TriggerEngine | undefined;
  return {
    name: TRIGGERS_PLUGIN,
    version: pkg.version,
    scope: pkg.name,
    dependencies: [PROFILER_PLUGIN, EVENT_LOOP_PLUGIN, HEAP_PLUGIN],
    start(ctx) {
      const profiler = ctx.use(ProfilerCapability);
      if (options.reader === undefined && options.rules.length > 0)
        ctx.diag.warn('no metric reader was given to the triggers: rules are not evaluated (alerts still capture)');
      const running = new TriggerEngine({
        rules: options.rules,
        reader: options.reader,
        names: options.names ?? 'otel',
        captures: ctx.use(CapturesCapability),
        cpuBusyElsewhere: () => profiler?.cpuBusy() !== undefined,
        intervalMillis: options.intervalMillis ?? TRIGGER_DEFAULTS.intervalMillis,
        capturesPerHour: options.capturesPerHour ?? TRIGGER_DEFAULTS.capturesPerHour,
        diskBudgetBytes: options.diskBudgetBytes ?? TRIGGER_DEFAULTS.diskBudgetBytes,
        meter: ctx.meter,
        diag: ctx.diag,
        onError: (error, what) => ctx.reportError(error, what),
      });
      engine = running;
      running.start();
      const seen = new SeenAlerts();
      ctx.provide(TriggersCapability, {
        engine: running,
        handleAlerts: (body) =>
          handleAlerts(body, { rules: options.rules, identity: options.identity, engine: running, seen }),
      });
    },
    stop() {
      engine?.stop();
    },
  };
}
