import { defineCapability, type Capability, type VigilPlugin } from '@vigil/core';
import { EventLoopDelayCapability } from '@vigil/plugin-event-loop';
import { HeapGrowthCapability } from '@vigil/plugin-heap';
import { CapturesCapability } from '@vigil/profiler';
import { SeenAlerts, concernsThisProcess, parseWebhook, ruleOf, type Identity } from './alertmanager.ts';
import { TriggerEngine, type SkipReason } from './engine.ts';
import type { Rule } from './rule.ts';
import pkg from '../package.json' with { type: 'json' };

export { parseRules } from './rule.ts';
export type { CapturePlan, Rule, RuleInput } from './rule.ts';
export { loadRulesFile } from './rules-file.ts';
export { DEFAULT_RULES } from './default-rules.ts';
export { exportPrometheusRules, alertName } from './prometheus-export.ts';
export { RULE_METRICS } from './metrics.ts';
export { TriggerEngine } from './engine.ts';
export type { Firing, SkipReason } from './engine.ts';
export { PayloadError } from './alertmanager.ts';

/** The one `rule` attribute value for every alert naming no rule of this process. */
const UNKNOWN_RULE = 'unknown';

export interface AlertsResult {
  started: { alert: string; rule: string }[];
  skipped: { alert: string; rule: string | undefined; reason: SkipReason }[];
}

/** What the debug server calls for Alertmanager's webhook, and what tests read. */
export interface TriggersService {
  readonly engine: TriggerEngine;
  /** Handles a webhook body; throws PayloadError (a 400) when malformed. */
  handleAlerts(body: string): AlertsResult;
}

export const TriggersCapability: Capability<TriggersService> = defineCapability<TriggersService>('triggers');

export interface TriggersOptions {
  rules: readonly Rule[];
  intervalMillis?: number;
  capturesPerHour?: number;
  diskBudgetBytes?: number;
  identity: Identity;
}

export function triggers(options: TriggersOptions): VigilPlugin {
  let engine: TriggerEngine | undefined;
  return {
    name: 'triggers',
    version: pkg.version,
    scope: pkg.name,
    dependencies: ['profiler', 'event-loop', 'heap'],
    start(ctx) {
      const running = new TriggerEngine({
        rules: options.rules,
        readers: { delay: ctx.use(EventLoopDelayCapability), growth: ctx.use(HeapGrowthCapability) },
        captures: ctx.use(CapturesCapability),
        intervalMillis: options.intervalMillis ?? 1_000,
        capturesPerHour: options.capturesPerHour ?? 12,
        diskBudgetBytes: options.diskBudgetBytes ?? 256 * 1024 * 1024,
        meter: ctx.meter,
        diag: ctx.diag,
        onError: (error, what) => ctx.reportError(error, what),
      });
      engine = running;
      running.start();
      const seen = new SeenAlerts();
      ctx.provide(TriggersCapability, {
        engine: running,
        handleAlerts(body) {
          const result: AlertsResult = { started: [], skipped: [] };
          for (const alert of parseWebhook(body)) {
            const name = alert.labels.alertname ?? alert.fingerprint;
            const rule = ruleOf(alert, options.rules);
            const skip = (reason: SkipReason) => {
              result.skipped.push({ alert: name, rule: rule?.name, reason });
              // A label value from the payload is never a metric attribute (any sender could mint series): known rules only.
              running.skip(rule?.name ?? UNKNOWN_RULE, reason);
            };
            if (alert.status !== 'firing') skip('resolved');
            else if (!concernsThisProcess(alert, options.identity)) skip('not-this-instance');
            else if (rule === undefined) skip('unknown-rule');
            else if (!seen.firstTime(alert)) skip('duplicate');
            else {
              const value = Number(alert.annotations.value);
              const firing = running.fire(rule, { kind: 'alert', name: rule.name, ...(Number.isFinite(value) ? { value } : {}), threshold: rule.threshold });
              result.started.push({ alert: name, rule: rule.name });
              firing.catch((error: unknown) => ctx.reportError(error, `alert ${name}`));
            }
          }
          return result;
        },
      });
    },
    stop() {
      engine?.stop();
    },
  };
}
