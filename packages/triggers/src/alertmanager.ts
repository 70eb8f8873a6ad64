import { hostname, networkInterfaces } from 'node:os';
import type { SkipReason, TriggerEngine } from './engine.ts';
import type { Rule } from './rule.ts';

/** The one `rule` attribute value for every alert naming no rule of this process. */
const UNKNOWN_RULE = 'unknown';

/** The webhook's answer, per alert: its capture started, waits for a busy slot (and will run), or will not run. */
export interface AlertsResult {
  started: { alert: string; rule: string }[];
  queued: { alert: string; rule: string; waitingFor: string | undefined }[];
  skipped: { alert: string; rule: string | undefined; reason: SkipReason }[];
}

/** What the webhook answers from: the rules in force, this process's identity, and the engine that captures. */
export interface AlertsContext {
  rules: readonly Rule[];
  identity: Identity;
  engine: TriggerEngine;
  seen: SeenAlerts;
}

/**
 * Alertmanager's webhook: each firing alert for this process that names one of its rules runs the rule's capture plan
 * once (a repeat of the same alert is a duplicate); every other alert is skipped, saying why. Resolves once each
 * alert's outcome is known; rejects with a PayloadError (a 400) when the body is malformed.
 */
export async function handleAlerts(body: string, ctx: AlertsContext): Promise<AlertsResult> {
  const result: AlertsResult = { started: [], queued: [], skipped: [] };
  for (const alert of parseWebhook(body)) {
    const name = alert.labels.alertname ?? alert.fingerprint;
    const rule = ruleOf(alert, ctx.rules);
    const skip = (reason: SkipReason) => {
      result.skipped.push({ alert: name, rule: rule?.name, reason });
      // A label value from the payload is never a metric attribute (any sender could mint series): known rules only.
      ctx.engine.skip(rule?.name ?? UNKNOWN_RULE, reason);
    };
    if (alert.status !== 'firing') skip('resolved');
    else if (!concernsThisProcess(alert, ctx.identity)) skip('not-this-instance');
    else if (rule === undefined) skip('unknown-rule');
    else if (!ctx.seen.firstTime(alert)) skip('duplicate');
    else {
      const value = Number(alert.annotations.value);
      const firing = await ctx.engine.fire(rule, {
        kind: 'alert',
        name: rule.name,
        ...(Number.isFinite(value) ? { value } : {}),
        threshold: rule.threshold,
      });
      if (firing.status === 'queued')
        result.queued.push({ alert: name, rule: rule.name, waitingFor: firing.waitedFor });
      else if (firing.status === 'skipped')
        result.skipped.push({ alert: name, rule: rule.name, reason: firing.skipped! });
      else result.started.push({ alert: name, rule: rule.name });
    }
  }
  return result;
}

/** One alert of Alertmanager's webhook payload (version 4). */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  fingerprint: string;
}

export class PayloadError extends Error {}

/** Parses and checks a version-4 webhook payload; a malformed one is a PayloadError with the reason (answered 400). */
export function parseWebhook(body: string): WebhookAlert[] {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new PayloadError("the body is not JSON (expected Alertmanager's webhook payload, version 4)");
  }
  if (typeof payload !== 'object' || payload === null) throw new PayloadError('the payload must be a JSON object');
  const p = payload as Record<string, unknown>;
  if (p.version !== '4')
    throw new PayloadError(`version must be "4" (Alertmanager's webhook payload), got ${JSON.stringify(p.version)}`);
  if (!Array.isArray(p.alerts)) throw new PayloadError('alerts must be a list');
  return p.alerts.map((raw, i) => {
    const a = raw as Record<string, unknown> | null;
    const where = `alerts[${i}]`;
    if (typeof a !== 'object' || a === null) throw new PayloadError(`${where} must be an object`);
    if (a.status !== 'firing' && a.status !== 'resolved')
      throw new PayloadError(`${where}.status must be "firing" or "resolved"`);
    if (!isStringMap(a.labels)) throw new PayloadError(`${where}.labels must map names to strings`);
    if (a.annotations !== undefined && !isStringMap(a.annotations))
      throw new PayloadError(`${where}.annotations must map names to strings`);
    if (typeof a.startsAt !== 'string' || Number.isNaN(Date.parse(a.startsAt)))
      throw new PayloadError(`${where}.startsAt must be a time`);
    if (typeof a.fingerprint !== 'string' || a.fingerprint === '')
      throw new PayloadError(`${where}.fingerprint must be a non-empty string`);
    return {
      status: a.status,
      labels: a.labels,
      annotations: (a.annotations ?? {}) as Record<string, string>,
      startsAt: a.startsAt,
      fingerprint: a.fingerprint,
    };
  });
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

export interface Identity {
  serviceName: string;
  metricsPort: number | undefined;
}

/** Whether an alert concerns this process: its `instance` is our metrics address, or its service/job is our service. */
export function concernsThisProcess(alert: WebhookAlert, identity: Identity): boolean {
  const { instance, service_name: service, job } = alert.labels;
  if (service === identity.serviceName || job === identity.serviceName) return true;
  if (instance === undefined || identity.metricsPort === undefined) return false;
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(instance);
  if (!match || Number(match[3]) !== identity.metricsPort) return false;
  return localNames().has((match[1] ?? match[2]!).toLowerCase());
}

function localNames(): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', hostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces()))
    for (const nic of list ?? []) names.add(nic.address.toLowerCase());
  return names;
}

/** Alertmanager repeats a notification until it resolves: the same alert (fingerprint + start) captures once. */
export class SeenAlerts {
  readonly #seen = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity = 1_000) {
    this.#capacity = capacity;
  }

  firstTime(alert: WebhookAlert): boolean {
    const key = `${alert.fingerprint}@${alert.startsAt}`;
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, Date.now());
    if (this.#seen.size > this.#capacity) this.#seen.delete(this.#seen.keys().next().value!);
    return true;
  }
}

function ruleOf(alert: WebhookAlert, rules: readonly Rule[]): Rule | undefined {
  return rules.find((r) => r.name === alert.labels.vigil_rule);
}
