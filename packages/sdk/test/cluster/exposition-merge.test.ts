import { describe, expect, it } from 'vitest';
import { mergeExpositions } from '../../src/cluster/exposition-merge.ts';

const worker = (pid: number, delay: number) =>
  [
    '# HELP target_info Target metadata',
    '# TYPE target_info gauge',
    `target_info{service_name="api",process_pid="${pid}"} 1`,
    '# HELP nodejs_eventloop_delay_max Maximum event loop delay.',
    '# TYPE nodejs_eventloop_delay_max gauge',
    `nodejs_eventloop_delay_max ${delay}`,
    '# HELP v8js_gc_duration Garbage collection duration.',
    '# TYPE v8js_gc_duration histogram',
    `v8js_gc_duration_count{v8js_gc_type="minor"} ${pid % 7}`,
    `v8js_gc_duration_sum{v8js_gc_type="minor"} 0.5`,
    `v8js_gc_duration_bucket{v8js_gc_type="minor",le="+Inf"} ${pid % 7}`,
    '',
  ].join('\n');

describe('mergeExpositions', () => {
  it('writes each family once, then every process’s samples labelled by worker', () => {
    const merged = mergeExpositions([
      { labels: { cluster_worker: 'primary' }, text: worker(100, 0.01) },
      { labels: { cluster_worker: '1' }, text: worker(101, 0.2) },
    ]);
    expect(merged).toBe(
      [
        '# HELP target_info Target metadata',
        '# TYPE target_info gauge',
        'target_info{cluster_worker="primary",service_name="api",process_pid="100"} 1',
        'target_info{cluster_worker="1",service_name="api",process_pid="101"} 1',
        '# HELP nodejs_eventloop_delay_max Maximum event loop delay.',
        '# TYPE nodejs_eventloop_delay_max gauge',
        'nodejs_eventloop_delay_max{cluster_worker="primary"} 0.01',
        'nodejs_eventloop_delay_max{cluster_worker="1"} 0.2',
        '# HELP v8js_gc_duration Garbage collection duration.',
        '# TYPE v8js_gc_duration histogram',
        'v8js_gc_duration_count{cluster_worker="primary",v8js_gc_type="minor"} 2',
        'v8js_gc_duration_sum{cluster_worker="primary",v8js_gc_type="minor"} 0.5',
        'v8js_gc_duration_bucket{cluster_worker="primary",v8js_gc_type="minor",le="+Inf"} 2',
        'v8js_gc_duration_count{cluster_worker="1",v8js_gc_type="minor"} 3',
        'v8js_gc_duration_sum{cluster_worker="1",v8js_gc_type="minor"} 0.5',
        'v8js_gc_duration_bucket{cluster_worker="1",v8js_gc_type="minor",le="+Inf"} 3',
        '',
      ].join('\n'),
    );
  });

  it('keeps a family that only one process has, in the order families first appear', () => {
    const merged = mergeExpositions([
      { labels: { w: 'a' }, text: '# TYPE x gauge\nx 1\n' },
      { labels: { w: 'b' }, text: '# TYPE y gauge\ny{} 2\n# TYPE x gauge\nx 3\n' },
    ]);
    expect(merged).toBe('# TYPE x gauge\nx{w="a"} 1\nx{w="b"} 3\n# TYPE y gauge\ny{w="b"} 2\n');
  });

  it('escapes label values and drops comments that are neither HELP nor TYPE', () => {
    const merged = mergeExpositions([
      { labels: { w: 'a"b\\c' }, text: '# failed to export metrics: boom\n# TYPE x gauge\nx 1\n' },
    ]);
    expect(merged).toBe('# TYPE x gauge\nx{w="a\\"b\\\\c"} 1\n');
  });

  it('merges nothing into nothing', () => {
    expect(mergeExpositions([{ labels: { w: 'a' }, text: '' }])).toBe('');
  });
});
