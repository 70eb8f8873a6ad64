import { describe, expect, it } from 'vitest';
import { ErrorCodes, VigilError } from '@vigil/core';
import { DEFAULT_RULES, exportPrometheusRules, parseRules } from '@vigil/triggers';

const stall = { name: 'stall', metric: 'nodejs.eventloop.delay.max', above: '200ms', for: '5s', capture: { cpu: '10s', lookback: '10s' } };

describe('parseRules', () => {
  it('reads thresholds in the metric\'s unit', () => {
    const [a, b, c, d, e] = parseRules(
      [
        stall,
        { name: 'near-limit', metric: 'v8js.heap.used_ratio', above: '90%', capture: { heap: true } },
        { name: 'big-heap', metric: 'v8js.heap.used', above: '512MiB', capture: { heap: true } },
        { name: 'leak', metric: 'v8js.heap.used', rise: '30%', window: '10m', floor: '64MiB', for: '1m', capture: { heap: true } },
        { name: 'few-handles', metric: 'nodejs.active_handles.all', below: 2, capture: { handles: true } },
      ],
      'test',
    );
    expect(a).toMatchObject({ threshold: 0.2, direction: 'above', forMillis: 5_000, cooldownMillis: 300_000, capture: { cpuMillis: 10_000, lookbackMillis: 10_000 } });
    expect(b!.threshold).toBeCloseTo(0.9);
    expect(c!.threshold).toBe(512 * 1024 ** 2);
    expect(d!.relative).toEqual({ rise: 0.3, windowMillis: 600_000, floor: 64 * 1024 ** 2 });
    expect(e).toMatchObject({ direction: 'below', threshold: 2 });
  });

  it('the shipped defaults are valid', () => {
    expect(parseRules([...DEFAULT_RULES], 'defaults').map((r) => r.name)).toEqual(['event-loop-stall', 'heap-near-limit', 'heap-growing', 'handles-growing']);
  });

  it.each<[string, unknown[], RegExp]>([
    ['an unknown metric', [{ ...stall, metric: 'nodejs.eventloop.lag' }], /^test: rule "stall", field metric: "nodejs\.eventloop\.lag" is not valid; expected one of nodejs\.eventloop\.delay\.max/],
    ['a size for a duration metric', [{ ...stall, above: '200MiB' }], /^test: rule "stall", field above: "200MiB" is not valid; expected a duration such as "200ms"/],
    ['a duration for a size metric', [{ name: 'h', metric: 'v8js.heap.used', above: '10s', capture: { heap: true } }], /rule "h", field above: "10s" is not valid; expected a size/],
    ['a percentage for a count', [{ name: 'h', metric: 'nodejs.active_handles.all', above: '50%', capture: { handles: true } }], /field above: "50%" is not valid; expected a plain number/],
    ['a duplicate name', [stall, stall], /^test: rule "stall", field name: "stall" is not valid; expected a name used by one rule only/],
    ['no threshold', [{ name: 'x', metric: 'v8js.heap.used', capture: { heap: true } }], /rule "x", field above: .* expected exactly one of above, below or rise/],
    ['two thresholds', [{ ...stall, below: '1s' }], /expected exactly one of above, below or rise/],
    ['a bad for', [{ ...stall, for: 'soon' }], /rule "stall", field for: "soon" is not valid; expected a duration/],
    ['an unknown field', [{ ...stall, severity: 'high' }], /rule "stall", field severity: "high" is not valid; expected one of the fields/],
    ['an unknown capture', [{ ...stall, capture: { flame: true } }], /rule "stall", field capture\.flame/],
    ['an empty capture plan', [{ ...stall, capture: {} }], /field capture: \{\} is not valid; expected at least one of cpu, heap/],
    ['lookback without cpu', [{ ...stall, capture: { lookback: '5s', heap: true } }], /field capture\.lookback: "5s" is not valid; expected lookback with a cpu capture/],
    ['a window without rise', [{ ...stall, window: '10m' }], /field window: "10m" is not valid; expected window only with rise/],
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
  it('writes each rule in the chosen naming mode with its vigil_rule label', () => {
    const rules = parseRules([...DEFAULT_RULES], 'defaults');
    const otel = exportPrometheusRules(rules, 'otel');
    expect(otel).toContain('expr: nodejs_eventloop_delay_max > 0.2');
    expect(otel).toContain('vigil_rule: event-loop-stall');
    const prom = exportPrometheusRules(rules, 'prom-client');
    expect(prom).toContain('expr: nodejs_eventloop_lag_max_seconds > 0.2');
    expect(prom).toContain('nodejs_active_handles_total > 2 * avg_over_time(nodejs_active_handles_total[10m:])');
  });
});
