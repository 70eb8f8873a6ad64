/**
 * The rules Vigil ships, each answering one of the incidents the seeds describe. Replace them with `rules` (or
 * VIGIL_RULES), or drop them with `defaultRules: false` (VIGIL_DEFAULT_RULES=off). docs/triggers.md says why each is
 * shaped so; test/e2e/default-rules.test.ts holds them to it.
 *
 * The leak rules follow holmes (mosn/holmes): a short rolling trend rather than a long baseline, so a leak from the
 * very start is caught, and a `for:` longer than any warm-up, so that a cache filling at start-up and then flat is not.
 * A 20 s slope stays above the threshold for at most about 33 s after a 30 s fill ends; 40 s of it means a leak.
 */
export const DEFAULT_RULES = [
  {
    name: 'event-loop-stall',
    metric: 'vigil.eventloop.delay.recent_max',
    above: '200ms',
    for: '0s',
    capture: { cpu: '10s', lookback: '10s' },
    cooldown: '5m',
  },
  {
    name: 'heap-near-limit',
    metric: 'v8js.heap.used / v8js.heap.limit',
    above: '90%',
    for: '10s',
    capture: { heap: true },
    cooldown: '10m',
  },
  {
    name: 'heap-growing',
    metric: 'v8js.heap.used',
    stat: 'deriv(20s)',
    above: '2MiB/s',
    for: '40s',
    capture: { heap: true },
    cooldown: '30m',
  },
  {
    name: 'handles-growing',
    metric: 'nodejs.active_handles.all',
    stat: 'deriv(20s)',
    above: 5,
    for: '40s',
    capture: { handles: true },
    cooldown: '30m',
  },
] as const;
