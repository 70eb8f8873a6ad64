import { getHeapStatistics } from 'node:v8';
import type { DelayWindow } from '@vigil/plugin-event-loop';
import type { HeapGrowth } from '@vigil/plugin-heap';
import type { MetricNames } from '@vigil/core';
import { isRequest } from '@vigil/plugin-handles';

/** What a rule's threshold is measured in, which decides the units it may be written in. */
export type MetricUnit = 'seconds' | 'bytes' | 'bytes-per-second' | 'ratio' | 'count';

export interface RuleMetric {
  unit: MetricUnit;
  description: string;
  /** The metric as Prometheus sees it (a PromQL expression), per naming mode. */
  promql: Record<MetricNames, string>;
}

/**
 * The metrics rules may name: Vigil's own, read in-process (no scrape), and exported to Prometheus under the same
 * meaning, so that one rule drives both the in-process engine and the exported alerting rule.
 */
export const RULE_METRICS: Record<string, RuleMetric> = {
  'nodejs.eventloop.delay.max': { unit: 'seconds', description: 'longest event-loop delay in the window', promql: { otel: 'nodejs_eventloop_delay_max', 'prom-client': 'nodejs_eventloop_lag_max_seconds' } },
  'nodejs.eventloop.delay.p99': { unit: 'seconds', description: '99th percentile event-loop delay', promql: { otel: 'nodejs_eventloop_delay_p99', 'prom-client': 'nodejs_eventloop_lag_p99_seconds' } },
  'nodejs.eventloop.delay.mean': { unit: 'seconds', description: 'mean event-loop delay', promql: { otel: 'nodejs_eventloop_delay_mean', 'prom-client': 'nodejs_eventloop_lag_mean_seconds' } },
  'nodejs.eventloop.utilization': { unit: 'ratio', description: 'event-loop utilization', promql: { otel: 'nodejs_eventloop_utilization', 'prom-client': 'nodejs_eventloop_utilization_ratio' } },
  'v8js.heap.used': { unit: 'bytes', description: 'V8 heap in use', promql: { otel: 'v8js_heap_used', 'prom-client': 'nodejs_heap_size_used_bytes' } },
  'v8js.heap.used_ratio': { unit: 'ratio', description: 'heap in use over the heap size limit', promql: { otel: '(v8js_heap_used / v8js_heap_limit)', 'prom-client': '(nodejs_heap_size_used_bytes / nodejs_heap_size_limit_bytes)' } },
  'vigil.heap.growth_rate': { unit: 'bytes-per-second', description: 'trend of heap used after major GCs', promql: { otel: 'vigil_heap_growth_rate', 'prom-client': 'vigil_heap_growth_bytes_per_second' } },
  'nodejs.active_handles.all': { unit: 'count', description: 'active libuv handles', promql: { otel: 'nodejs_active_handles_all', 'prom-client': 'nodejs_active_handles_total' } },
  'nodejs.active_resources.all': { unit: 'count', description: 'active resources keeping the loop alive', promql: { otel: 'nodejs_active_resources_all', 'prom-client': 'nodejs_active_resources_total' } },
  'process.memory.usage': { unit: 'bytes', description: 'resident set size', promql: { otel: 'process_memory_usage', 'prom-client': 'process_resident_memory_bytes' } },
};

export interface MetricReaders {
  delay?: DelayWindow;
  growth?: HeapGrowth;
}

/** Reads a rule metric now, in its base unit (seconds, bytes, ratio, count). */
export function readMetric(name: string, readers: MetricReaders): number | undefined {
  switch (name) {
    case 'nodejs.eventloop.delay.max':
      return readers.delay?.read().max;
    case 'nodejs.eventloop.delay.p99':
      return readers.delay?.read().p99;
    case 'nodejs.eventloop.delay.mean':
      return readers.delay?.read().mean;
    case 'nodejs.eventloop.utilization':
      return readers.delay?.read().utilization;
    case 'v8js.heap.used':
      return getHeapStatistics().used_heap_size;
    case 'v8js.heap.used_ratio': {
      const heap = getHeapStatistics();
      return heap.used_heap_size / heap.heap_size_limit;
    }
    case 'vigil.heap.growth_rate':
      return readers.growth?.rate();
    case 'nodejs.active_handles.all':
      return process.getActiveResourcesInfo().filter((t) => !isRequest(t)).length;
    case 'nodejs.active_resources.all':
      return process.getActiveResourcesInfo().length;
    case 'process.memory.usage':
      return process.memoryUsage.rss();
    default:
      return undefined;
  }
}
