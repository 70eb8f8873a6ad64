import {
  Function as PprofFunction,
  Label,
  Line,
  Location,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';

/**
 * Merges profiles of the same kind (same sample types, in order) into one: strings, functions and locations are
 * re-interned into one table; samples keep their values and labels. The result spans from the earliest start to the
 * latest end of its inputs.
 */
export function mergeProfiles(profiles: readonly Profile[]): Profile {
  if (profiles.length === 0) throw new Error('mergeProfiles: no profiles to merge');
  if (profiles.length === 1) return profiles[0]!;
  const strings = new StringTable();
  const out = new Profile({ stringTable: strings });
  const first = profiles[0]!;
  const str = (p: Profile, index: number | bigint) => strings.dedup(p.stringTable.strings[Number(index)] ?? '');
  out.sampleType = first.sampleType.map((t) => new ValueType({ type: str(first, t.type), unit: str(first, t.unit) }));
  if (first.periodType)
    out.periodType = new ValueType({
      type: str(first, first.periodType.type),
      unit: str(first, first.periodType.unit),
    });
  out.period = first.period;
  if (first.defaultSampleType) out.defaultSampleType = str(first, first.defaultSampleType);

  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();
  let start = Infinity;
  let end = -Infinity;

  for (const p of profiles) {
    if (p.sampleType.length !== first.sampleType.length) {
      throw new Error('mergeProfiles: profiles have different sample types');
    }
    const profileStart = Number(p.timeNanos);
    start = Math.min(start, profileStart);
    end = Math.max(end, profileStart + Number(p.durationNanos));

    const fnMap = new Map<number, number>();
    for (const fn of p.function) {
      const name = str(p, fn.name);
      const systemName = str(p, fn.systemName);
      const filename = str(p, fn.filename);
      const key = `${name}\0${systemName}\0${filename}\0${fn.startLine}`;
      let id = functionIds.get(key);
      if (id === undefined) {
        id = out.function.length + 1;
        functionIds.set(key, id);
        out.function.push(new PprofFunction({ id, name, systemName, filename, startLine: fn.startLine }));
      }
      fnMap.set(Number(fn.id), id);
    }
    const locMap = new Map<number, number>();
    for (const loc of p.location) {
      const lines = loc.line.map((l) => ({
        functionId: fnMap.get(Number(l.functionId)) ?? 0,
        line: l.line,
        column: l.column,
      }));
      const key = lines.map((l) => `${l.functionId}:${l.line}:${l.column}`).join('|');
      let id = locationIds.get(key);
      if (id === undefined) {
        id = out.location.length + 1;
        locationIds.set(key, id);
        out.location.push(new Location({ id, line: lines.map((l) => new Line(l)) }));
      }
      locMap.set(Number(loc.id), id);
    }
    for (const s of p.sample) {
      out.sample.push(
        new Sample({
          locationId: s.locationId.map((id) => locMap.get(Number(id)) ?? 0),
          value: [...s.value],
          label: s.label.map(
            (l) =>
              new Label({
                key: str(p, l.key),
                str: l.str ? str(p, l.str) : 0,
                num: l.num,
                numUnit: l.numUnit ? str(p, l.numUnit) : 0,
              }),
          ),
        }),
      );
    }
  }
  out.timeNanos = start;
  out.durationNanos = Math.max(0, end - start);
  return out;
}
