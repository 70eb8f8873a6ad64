import { decodeProfile, filterByLabel, formatTop, mergeProfiles, topTable } from '@vigil/pprof';
import type { CaptureFilter, CaptureMetadata, CaptureType } from '@vigil/store';
import { CliError } from '../cli-error.ts';
import type { CaptureSource } from '../source.ts';

/** Profiles merged at once are decoded in memory: past this, narrow the range or the service. */
const MAX_CAPTURES = 500;
const PARALLEL_FETCHES = 8;

/**
 * `vigil top --since 10m [--service S] [--type cpu] [--trace ID]`: the captures of every instance in the range, merged
 * into one profile, as a top table — "what was the fleet doing".
 */
export async function topRangeCommand(
  source: CaptureSource,
  filter: CaptureFilter,
  options: { sampleIndex?: string; count?: number },
): Promise<string> {
  const type = filter.type ?? 'cpu';
  if (type === 'heapsnapshot')
    throw new CliError('top merges pprof captures: cpu, heap or handles, not heap snapshots', 2);
  const listed = await source.list({ ...filter, type, limit: MAX_CAPTURES + 1 });
  if (listed.length === 0) throw new CliError(`no ${type} captures in ${source.name} match`);
  const list = perInstance(listed, type);
  if (list.length > MAX_CAPTURES)
    throw new CliError(`more than ${MAX_CAPTURES} ${type} captures match: narrow --since/--until, --service or --host`);
  const profiles = [];
  for (let i = 0; i < list.length; i += PARALLEL_FETCHES) {
    const batch = await Promise.all(
      list.slice(i, i + PARALLEL_FETCHES).map(async (m) => decodeProfile(await source.fetch(m.id))),
    );
    profiles.push(
      ...batch.map((p) => (filter.traceId === undefined ? p : filterByLabel(p, 'trace_id', filter.traceId))),
    );
  }
  let merged;
  try {
    merged = mergeProfiles(profiles);
  } catch (error) {
    throw new CliError(`these captures cannot be merged: ${(error as Error).message}`);
  }
  const instances = new Set(list.map((m) => `${m.host}:${m.pid}`)).size;
  const services = [...new Set(list.map((m) => m.service))].sort();
  const first = list.at(-1)!.startedAt;
  const last = list[0]!.endedAt;
  let table;
  try {
    table = formatTop(topTable(merged, options.sampleIndex), options.count ?? 20);
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
  const left = listed.length - list.length;
  const leftOut =
    left === 0
      ? ''
      : ` (${left} more left out: ${type === 'cpu' ? 'their samples are in the continuous profiles' : 'in-use heap is a level, so only the newest of each instance counts'})`;
  return `${list.length} ${type} captures merged${leftOut} from ${instances} instance${instances === 1 ? '' : 's'} of ${services.join(', ')}, ${first} to ${last}\n${table}`;
}

/**
 * What to merge so that nothing counts twice. CPU: an instance with continuous profiles in the range contributes only
 * those (consecutive periods of one stream, which already hold the samples of its triggered captures). Heap: each
 * capture is the in-use heap at one moment, so an instance contributes its newest.
 */
function perInstance<T extends CaptureMetadata>(list: readonly T[], type: CaptureType): T[] {
  const instance = (m: T) => `${m.service} ${m.host}:${m.pid}`;
  if (type === 'heap') {
    const newest = new Map<string, T>();
    for (const m of list) if (!newest.has(instance(m))) newest.set(instance(m), m); // the list is newest first
    return [...newest.values()];
  }
  if (type !== 'cpu') return [...list];
  const continuous = new Set(list.filter((m) => m.reason.kind === 'continuous').map(instance));
  return list.filter((m) => m.reason.kind === 'continuous' || !continuous.has(instance(m)));
}
