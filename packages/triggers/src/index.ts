import { defineCapability, type Capability, type MetricNames, type VigilPlugin } from '@vigil/core';
import { CapturesCapability, ProfilerCapability } from '@vigil/profiler';
import { SeenAlerts, concernsThisProcess, parseWebhook, ruleOf, type Identity } from './alertmanager.ts';
import { TriggerEngine, type SkipReason } from './engine.ts';
import type { Rule } from './rule.ts';
import type { RuleMetricReader } from './rule-metric-reader.ts';
import pkg from '../package.json' with { type: 'json' };

export { parseRules } from './rule.ts';
export type { CapturePlan, Rule, RuleInput } from './rule.ts';
export { loadRulesFile } from './rules-file.ts';
export { DEFAULT_RULES } from './default-rules.ts';
export { exportPrometheusRules, alertName } from './prometheus-export.ts';
export { RuleMetricReader, ruleMetricReader } from './rule-metric-reader.ts';
export { parseQuery, formatQuery } from './metric-query.ts';
export type { Matcher, MetricQuery, Selector, Stat } from './metric-query.ts';
export { TriggerEngine } from './engine.ts';
export type { Firing, RuleHealth, SkipReason } from './engine.ts';
export { PayloadError } from './alertmanager.ts';

/** The one `rule` attribute value for every alert naming no rule of this process. */
const UNKNOWN_RULE = 'unknown';

/** The webhook's answer, per alert: its capture started, waits for a busy slot (and will run), or will not run. */
export interface AlertsResult {
  started: { alert: string; rule: string }[];
  queued: { alert: string; rule: string; waitingFor: string | undefined }[];
  skipped: { alert: string; rule: string | undefined; reason: SkipReason }[];
}

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

export function triggers(options: TriggersOptions): VigilPlugin {
  let engine: TriggerEngine | undefined;
  return {
    name: 'triggers',
    version: pkg.version,
    scope: pkg.name,
    dependencies: ['profiler', 'event-loop', 'heap'],
    start(ctx) {
      const profiler = ctx.use(ProfilerCapability);
      if (options.reader === undefined && options.rules.length > 0) ctx.diag.warn('no metric reader was given to the triggers: rules are not evaluated (alerts still capture)');
      const running = new TriggerEngine({
        rules: options.rules,
        reader: options.reader,
        names: options.names ?? 'otel',
        captures: ctx.use(CapturesCapability),
        cpuBusyElsewhere: () => profiler?.cpuBusy() !== undefined,
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
        async handleAlerts(body) {
          const result: AlertsResult = { started: [], queued: [], skipped: [] };
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
              const firing = await running.fire(rule, { kind: 'alert', name: rule.name, ...(Number.isFinite(value) ? { value } : {}), threshold: rule.threshold });
              if (firing.status === 'queued') result.queued.push({ alert: name, rule: rule.name, waitingFor: firing.waitedFor });
              else if (firing.status === 'skipped') result.skipped.push({ alert: name, rule: rule.name, reason: firing.skipped! });
              else result.started.push({ alert: name, rule: rule.name });
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
