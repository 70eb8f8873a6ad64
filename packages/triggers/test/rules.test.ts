import { describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError } from '@vigil/core';
import { DEFAULT_RULES, exportPrometheusRules, parseRules } from '@vigil/triggers';

const stall = {
  name: 'stall',
  metric: 'nodejs.eventloop.delay.max',
  above: '200ms',
  for: '5s',
  capture: { cpu: '10s', lookback: '10s' },
};

describe('parseRules', () => {
  it("reads thresholds in the metric's unit", () => {
    const [a, b, c, d, e] = parseRules(
      [
        stall,
        { name: 'near-limit', metric: 'v8js.heap.used_ratio', above: '90%', capture: { heap: true } },
        { name: 'big-heap', metric: 'v8js.heap.used', above: '512MiB', capture: { heap: true } },
        {
          name: 'leak',
          metric: 'v8js.heap.used',
          rise: '30%',
          window: '10m',
          floor: '64MiB',
          for: '1m',
          capture: { heap: true },
        },
        { name: 'few-handles', metric: 'nodejs.active_handles.all', below: 2, capture: { handles: true } },
      ],
      'test',
    );
    expect(a).toMatchObject({
      threshold: 0.2,
      direction: 'above',
      forMillis: 5_000,
      cooldownMillis: 300_000,
      capture: { cpuMillis: 10_000, lookbackMillis: 10_000 },
    });
    expect(b!.threshold).toBeCloseTo(0.9);
    expect(c!.threshold).toBe(512 * 1024 ** 2);
    expect(d!.relative).toEqual({ rise: 0.3, windowMillis: 600_000, floor: 64 * 1024 ** 2 });
    expect(e).toMatchObject({ direction: 'below', threshold: 2 });
  });

  it('the shipped defaults are valid', () => {
    expect(parseRules([...DEFAULT_RULES], 'defaults').map((r) => r.name)).toEqual([
      'event-loop-stall',
      'heap-near-limit',
      'heap-growing',
      'handles-growing',
    ]);
  });

  it('reads metric selectors, ratios and stats', () => {
    const [a, b, c, d] = parseRules(
      [
        {
          name: 'old-space',
          metric: 'v8js.memory.heap.used{v8js.heap.space.name="old_space"}',
          above: '256MiB',
          capture: { heap: true },
        },
        {
          name: 'slow',
          metric: 'http.server.request.duration{http.route="/checkout", http.response.status_code!="500"}',
          stat: 'p99(1m)',
          above: '500ms',
          capture: { cpu: '5s' },
        },
        { name: 'orders', metric: 'app.orders', stat: 'rate(1m)', above: 50, capture: { cpu: '5s' } },
        { name: 'near-limit', metric: 'v8js.heap.used / v8js.heap.limit', above: '90%', capture: { heap: true } },
      ],
      'test',
    );
    expect(a!.query).toEqual({
      numerator: {
        name: 'v8js.memory.heap.used',
        matchers: [{ key: 'v8js.heap.space.name', op: '=', value: 'old_space' }],
      },
      stat: { kind: 'value' },
    });
    expect(b!.query.numerator.matchers.map((m) => `${m.key}${m.op}${m.value}`)).toEqual([
      'http.route=/checkout',
      'http.response.status_code!=500',
    ]);
    expect(b!.query.stat).toEqual({ kind: 'histogram', of: 'quantile', quantile: 0.99, windowMillis: 60_000 });
    expect(b).toMatchObject({ threshold: 0.5, thresholdKind: 'duration' });
    expect(c!.query.stat).toEqual({ kind: 'rate', windowMillis: 60_000 });
    expect(d!.query.denominator).toEqual({ name: 'v8js.heap.limit', matchers: [] });
    expect(d).toMatchObject({ threshold: 0.9, thresholdKind: 'ratio' });
  });

  it.each<[string, unknown[], RegExp]>([
    [
      'a metric that is no name',
      [{ ...stall, metric: '9lives' }],
      /^test: rule "stall", field metric: "9lives" is not valid; expected an instrument name with optional attribute matchers/,
    ],
    [
      'a bad matcher',
      [{ ...stall, metric: 'v8js.memory.heap.used{space=old}' }],
      /field metric: .* expected attribute matchers written key="value"/,
    ],
    [
      'an unknown stat',
      [{ ...stall, stat: 'median' }],
      /^test: rule "stall", field stat: "median" is not valid; expected value, deriv\(20s\), rate\(1m\)/,
    ],
    [
      'a rate without its window',
      [{ ...stall, stat: 'rate' }],
      /field stat: "rate" is not valid; expected rate\(window\)/,
    ],
    [
      'a bad window',
      [{ ...stall, stat: 'deriv(soon)' }],
      /field stat: "deriv\(soon\)" is not valid; expected a window such as deriv\(30s\)/,
    ],
    [
      'a histogram stat of a ratio',
      [{ ...stall, metric: 'a / b', stat: 'p99' }],
      /field stat: "p99" is not valid; expected value or deriv\(window\) for a ratio/,
    ],
    [
      'a threshold that is no quantity',
      [{ ...stall, above: 'high' }],
      /^test: rule "stall", field above: "high" is not valid; expected a duration \("200ms"\), a size/,
    ],
    [
      'a count with a unit',
      [{ ...stall, stat: 'count', above: '10s' }],
      /field above: "10s" is not valid; expected a plain number/,
    ],
    [
      'a duplicate name',
      [stall, stall],
      /^test: rule "stall", field name: "stall" is not valid; expected a name used by one rule only/,
    ],
    [
      'no threshold',
      [{ name: 'x', metric: 'v8js.heap.used', capture: { heap: true } }],
      /rule "x", field above: .* expected exactly one of above, below or rise/,
    ],
    ['two thresholds', [{ ...stall, below: '1s' }], /expected exactly one of above, below or rise/],
    ['a bad for', [{ ...stall, for: 'soon' }], /rule "stall", field for: "soon" is not valid; expected a duration/],
    [
      'an unknown field',
      [{ ...stall, severity: 'high' }],
      /rule "stall", field severity: "high" is not valid; expected one of the fields/,
    ],
    ['an unknown capture', [{ ...stall, capture: { flame: true } }], /rule "stall", field capture\.flame/],
    [
      'an empty capture plan',
      [{ ...stall, capture: {} }],
      /field capture: \{\} is not valid; expected at least one of cpu, heap/,
    ],
    [
      'lookback without cpu',
      [{ ...stall, capture: { lookback: '5s', heap: true } }],
      /field capture\.lookback: "5s" is not valid; expected lookback with a cpu capture/,
    ],
    [
      'a window without rise',
      [{ ...stall, window: '10m' }],
      /field window: "10m" is not valid; expected window only with rise/,
    ],
    ['a bad name', [{ ...stall, name: 'has spaces' }], /^test: rules\[0\], field name: "has spaces" is not valid/],
  ])('rejects %s, naming the rule and the field', (_name, rules, message) => {
    let error: unknown;
    try {
      parseRules(rules, 'test');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe(ErrorCodes.RULE_INVALID);
    expect((error as Error).message).toMatch(message);
  });
});

describe('exportPrometheusRules', () => {
  it('writes each rule in the chosen naming mode with its vigil_rule label', async () => {
    const rules = parseRules([...DEFAULT_RULES], 'defaults');
    const otel = await exportPrometheusRules(rules, 'otel');
    expect(otel).toContain('expr: sum by (job, instance) (vigil_eventloop_delay_recent_max) > 0.2');
    expect(otel).toContain('vigil_rule: event-loop-stall');
    expect(otel).toContain('expr: deriv(sum by (job, instance) (v8js_heap_used)[20s:]) > 2097152');
    expect(otel).toContain(
      'expr: (sum by (job, instance) (v8js_heap_used) / sum by (job, instance) (v8js_heap_limit)) > 0.9',
    );
    const prom = await exportPrometheusRules(rules, 'prom-client');
    expect(prom).toContain('expr: sum by (job, instance) (vigil_eventloop_lag_recent_max_seconds) > 0.2');
    expect(prom).toContain('expr: deriv(sum by (job, instance) (nodejs_active_handles_total)[20s:]) > 5');
  });

  it("writes the app's instruments: matchers, histogram statistics over buckets, counter rates, relative rises", async () => {
    const rules = parseRules(
      [
        {
          name: 'slow',
          metric: 'http.server.request.duration{http.route="/checkout"}',
          stat: 'p99',
          above: '500ms',
          capture: { cpu: '5s' },
        },
        { name: 'orders', metric: 'app.orders', stat: 'rate(1m)', above: 50, capture: { cpu: '5s' } },
        {
          name: 'old',
          metric: 'v8js.memory.heap.used{v8js.heap.space.name="old_space"}',
          rise: '50%',
          window: '10m',
          capture: { heap: true },
        },
      ],
      'test',
    );
    const otel = await exportPrometheusRules(rules, 'otel');
    expect(otel).toContain(
      'expr: histogram_quantile(0.99, sum by (job, instance, le) (rate(http_server_request_duration_bucket{http_route="/checkout"}[1m]))) > 0.5',
    );
    expect(otel).toContain('expr: sum by (job, instance) (rate(app_orders_total[1m])) > 50');
    const prom = await exportPrometheusRules(rules, 'prom-client');
    expect(prom).toContain(
      'sum by (job, instance) (nodejs_heap_space_size_used_bytes{space="old"}) > 1.5 * avg_over_time(sum by (job, instance) (nodejs_heap_space_size_used_bytes{space="old"})[10m:])',
    );
  });
});
