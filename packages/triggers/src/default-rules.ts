/**
 * The rules Vigil ships, each answering one of the incidents the seeds describe. Replace them with `rules` (or
 * VIGIL_RULES), or drop them with `defaultRules: false` (VIGIL_DEFAULT_RULES=off). Documented in docs/triggers.md.
 */
export const DEFAULT_RULES = [
  {
    name: 'event-loop-stall',
    metric: 'nodejs.eventloop.delay.max',
    above: '200ms',
    for: '5s',
    capture: { cpu: '10s', lookback: '10s' },
    cooldown: '5m',
  },
  {
    name: 'heap-near-limit',
    metric: 'v8js.heap.used_ratio',
    above: '90%',
    for: '10s',
    capture: { heap: true },
    cooldown: '10m',
  },
  {
    name: 'heap-growing',
    metric: 'v8js.heap.used',
    rise: '50%',
    window: '10m',
    floor: '128MiB',
    for: '1m',
    capture: { heap: true },
    cooldown: '30m',
  },
  {
    name: 'handles-growing',
    metric: 'nodejs.active_handles.all',
    rise: '100%',
    window: '10m',
    floor: 200,
    for: '1m',
    capture: { handles: true },
    cooldown: '30m',
  },
] as const;
