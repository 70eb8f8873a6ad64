import { formatDuration } from '@vigil/core';
import type { CaptureRecorder, ProfilerService } from '@vigil/profiler';
import type { TriggersService } from '@vigil/triggers';
import { indexCaptures, renderIndex, type IndexEntry, type IndexExtras } from '../index-page.ts';

export interface IndexContext {
  /** The server's own origin, for the ready-made command lines. */
  baseUrl: string;
  /** Whether requests need the bearer token (the command lines then send it). */
  token: boolean;
  profiler: ProfilerService | undefined;
  captures: CaptureRecorder | undefined;
  triggers: TriggersService | undefined;
}

/** GET /debug/pprof/[?trace_id=]: the profiles, the profiler's state, the rules and the recent captures, as HTML. */
export async function indexHtml(ctx: IndexContext, traceId: string | undefined): Promise<string> {
  const listed = ctx.captures
    ? await ctx.captures.store.list({ limit: 200, ...(traceId ? { traceId } : {}) }).catch(() => [])
    : [];
  const recent = indexCaptures(listed);
  return renderIndex(ctx.baseUrl, indexEntries(ctx.baseUrl, ctx.token), indexNotes(ctx.profiler), recent, {
    traceId,
    ...triggerFacts(ctx.triggers),
  });
}

function indexEntries(base: string, token: boolean): IndexEntry[] {
  const auth = token ? ' -http_header="Authorization: Bearer $VIGIL_DEBUG_TOKEN"' : '';
  const pprofCmd = (path: string) => `go tool pprof${auth} ${base}${path}`;
  return [
    {
      path: '/debug/pprof/profile?seconds=30',
      description:
        'CPU profile: where the process spends CPU over the next N seconds (add lookback=N for the seconds before).',
      command: pprofCmd('/debug/pprof/profile?seconds=30'),
      flame: '/debug/vigil/flame?profile=cpu&seconds=10',
    },
    {
      path: '/debug/pprof/heap',
      description: 'In-use heap by allocation site, sampled (debug=1 for text).',
      command: pprofCmd('/debug/pprof/heap'),
      flame: '/debug/vigil/flame?profile=heap',
    },
    {
      path: '/debug/pprof/handles',
      description:
        'Active handles and requests by type, with creation stacks when tracked (debug=1 for text): the answer to Go\u2019s goroutine profile.',
      command: pprofCmd('/debug/pprof/handles'),
      flame: '/debug/vigil/flame?profile=handles',
    },
    {
      path: '/debug/pprof/heapsnapshot',
      description: 'Full V8 heap snapshot for Chrome DevTools; opt-in (VIGIL_HEAP_SNAPSHOTS=on), pauses the process.',
    },
  ];
}

function indexNotes(profiler: ProfilerService | undefined): string[] {
  if (profiler === undefined) return ['The profiler is not running in this process; see the logs.'];
  const recorder = profiler.recorder();
  return [
    profiler.continuous
      ? `Continuous profiling is on: the flight recorder holds ${recorder.windows} windows (${Math.round(recorder.bytes / 1024)} KiB).`
      : 'Continuous profiling is off: each CPU capture starts the profiler for its duration.',
    `Span labels on CPU samples: ${profiler.labeler.mode}.`,
  ];
}

/** The rules in force and their latest firings (newest first), in words for the index. */
function triggerFacts(triggers: TriggersService | undefined): Pick<IndexExtras, 'rules' | 'firings'> {
  if (triggers === undefined) return {};
  const engine = triggers.engine;
  return {
    rules: engine.rules.map((r) => {
      const plan = r.capture;
      const parts = [
        plan.cpuMillis > 0
          ? `cpu ${formatDuration(plan.cpuMillis)}${plan.lookbackMillis > 0 ? ` (+${formatDuration(plan.lookbackMillis)} before)` : ''}`
          : '',
        plan.heap ? 'heap' : '',
        plan.handles ? 'handles' : '',
        plan.heapsnapshot ? 'heap snapshot' : '',
      ];
      return {
        name: r.name,
        metric: r.metric,
        condition: `${r.relative ? 'rises' : r.direction} ${r.thresholdText}${r.forMillis > 0 ? ` for ${formatDuration(r.forMillis)}` : ''}`,
        capture: parts.filter(Boolean).join(', ') || 'nothing',
        cooldown: formatDuration(r.cooldownMillis),
      };
    }),
    firings: [...engine.recent].reverse().slice(0, 10),
  };
}
