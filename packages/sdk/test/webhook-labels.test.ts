import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '@vigil/triggers';
import { start, type VigilHandle } from '@vigil/sdk';

let handle: VigilHandle;
beforeAll(async () => {
  handle = await start({
    serviceName: 'labels-test',
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    debugAddr: '127.0.0.1:0',
    profiling: false,
  });
});
afterAll(() => handle.shutdown());

const alert = (labels: Record<string, string>, status = 'firing') => ({
  status,
  labels: { alertname: 'VigilRule', service_name: 'labels-test', ...labels },
  annotations: {},
  startsAt: new Date().toISOString(),
  fingerprint: Math.random().toString(16).slice(2),
});

describe('the Alertmanager webhook and metric cardinality', () => {
  it('folds every vigil_rule value that names no rule into one "unknown" series', async () => {
    for (let post = 0; post < 10; post++) {
      const alerts = Array.from({ length: 20 }, (_, i) =>
        alert({ vigil_rule: `minted-${post}-${i}` }, i % 2 === 0 ? 'firing' : 'resolved'),
      );
      alerts.push(alert({})); // no vigil_rule at all
      const response = await fetch(`${handle.debugUrl}/debug/vigil/alerts`, {
        method: 'POST',
        body: JSON.stringify({ version: '4', alerts }),
      });
      expect(response.status).toBe(200);
    }
    const metrics = await (await fetch(handle.metricsUrl!)).text();
    const series = metrics.split('\n').filter((line) => line.startsWith('vigil_triggers_skipped_total{'));
    const rules = new Set(series.map((line) => /rule="([^"]*)"/.exec(line)?.[1]));
    expect([...rules].sort()).toEqual(['unknown']);
    // One series per skip reason seen, not one per minted name: 10 x 21 alerts, 200 of them naming a rule that is not here.
    expect(series.map((line) => /reason="([^"]*)"/.exec(line)?.[1]).sort()).toEqual(['resolved', 'unknown-rule']);
    const total = series.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(total).toBe(210);
  });

  it('keeps a known rule name as the label', async () => {
    const known = DEFAULT_RULES[0]!.name;
    const response = await fetch(`${handle.debugUrl}/debug/vigil/alerts`, {
      method: 'POST',
      body: JSON.stringify({ version: '4', alerts: [alert({ vigil_rule: known }, 'resolved')] }),
    });
    expect(response.status).toBe(200);
    const metrics = await (await fetch(handle.metricsUrl!)).text();
    expect(metrics).toMatch(new RegExp(`^vigil_triggers_skipped_total\\{[^}]*rule="${known}"[^}]*\\} 1$`, 'm'));
  });
});
