import type { MetricNames } from '@vigil/core';
import { DELAY_STATS, eventLoopNames } from '@vigil/plugin-event-loop';
import { handleNames } from '@vigil/plugin-handles';
import { heapNames } from '@vigil/plugin-heap';
import { processNames } from '@vigil/plugin-process';
import type { Selector } from './metric-query.ts';

interface Aliases {
  metrics: Map<string, string>;
  attributes: Map<string, { name: string; value: (v: string) => string }>;
}

/**
 * Rules name instruments by their OpenTelemetry names. With `VIGIL_METRIC_NAMES=prom-client` Vigil's runtime metrics
 * are recorded under prom-client's names (and attribute names), which is what every reader of the MeterProvider sees;
 * this maps a rule's OpenTelemetry names onto them, from the plugins' own name tables (no list of our own). A name
 * with no alias (the app's instruments, or a prom-client name written as is) is looked up unchanged.
 */
export function nameResolver(names: MetricNames): (selector: Selector) => Selector {
  if (names === 'otel') return (selector) => selector;
  const aliases = promClientAliases();
  return (selector) => ({
    name: aliases.metrics.get(selector.name) ?? selector.name,
    matchers: selector.matchers.map((m) => {
      const attribute = aliases.attributes.get(m.key);
      return attribute ? { ...m, key: attribute.name, value: attribute.value(m.value) } : m;
    }),
  });
}

let cached: Aliases | undefined;

function promClientAliases(): Aliases {
  if (cached) return cached;
  const metrics = new Map<string, string>();
  const attributes: Aliases['attributes'] = new Map();
  const pair = (otel: object, prom: object) => {
    for (const [key, value] of Object.entries(otel)) {
      const other = (prom as Record<string, unknown>)[key];
      if (typeof value !== 'string' || typeof other !== 'string') continue;
      if (key.endsWith('Attribute')) attributes.set(value, { name: other, value: (v) => v });
      else metrics.set(value, other);
    }
  };
  const [loopOtel, loopProm] = [eventLoopNames('otel'), eventLoopNames('prom-client')];
  pair(loopOtel, loopProm);
  for (const stat of DELAY_STATS) metrics.set(loopOtel.delay(stat), loopProm.delay(stat));
  const [heapOtel, heapProm] = [heapNames('otel'), heapNames('prom-client')];
  pair(heapOtel, heapProm);
  attributes.set(heapOtel.spaceAttribute, { name: heapProm.spaceAttribute, value: heapProm.spaceValue });
  pair(handleNames('otel'), handleNames('prom-client'));
  pair(processNames('otel'), processNames('prom-client'));
  cached = { metrics, attributes };
  return cached;
}
