import type { Profile } from 'pprof-format';

/** The spans of one trace seen in a profile: what a capture store's trace index points at. */
export interface TraceRef {
  traceId: string;
  spanIds: string[];
}

/** The traces whose spans labelled samples of this profile, with their span ids (local roots included). */
export function traceRefs(profile: Profile): TraceRef[] {
  const strings = profile.stringTable.strings;
  const keyOf = (name: string) => strings.indexOf(name);
  const traceKey = keyOf('trace_id');
  if (traceKey <= 0) return [];
  const spanKeys = new Set([keyOf('span_id'), keyOf('local_root_span_id')].filter((k) => k > 0));
  const traces = new Map<string, Set<string>>();
  for (const sample of profile.sample) {
    let traceId: string | undefined;
    const spans: string[] = [];
    for (const label of sample.label) {
      const key = Number(label.key);
      if (key === traceKey) traceId = strings[Number(label.str)];
      else if (spanKeys.has(key)) spans.push(strings[Number(label.str)] ?? '');
    }
    if (traceId === undefined) continue;
    let set = traces.get(traceId);
    if (set === undefined) traces.set(traceId, (set = new Set()));
    for (const s of spans) if (s) set.add(s);
  }
  return [...traces].map(([traceId, spanIds]) => ({ traceId, spanIds: [...spanIds].sort() }));
}
