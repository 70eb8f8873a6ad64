import type { Profile, Sample } from 'pprof-format';

export interface FunctionInfo {
  name: string;
  file: string;
  line: number;
  /** The same function in another profile has the same key (ids differ between profiles). */
  key: string;
}

/** A profile's tables resolved once: sample types, functions by id, and the function ids of each location. */
export interface ProfileIndex {
  types: string[];
  units: string[];
  defaultType: string | undefined;
  functions: Map<number, FunctionInfo>;
  /** Function ids of each location, innermost (inlined) first, as pprof lists them. */
  locations: Map<number, number[]>;
}

export function indexProfile(profile: Profile): ProfileIndex {
  const strings = profile.stringTable.strings;
  const functions = new Map<number, FunctionInfo>();
  for (const fn of profile.function) {
    const name = strings[Number(fn.name)] || '?';
    const file = strings[Number(fn.filename)] ?? '';
    functions.set(Number(fn.id), {
      name,
      file,
      line: Number(fn.startLine),
      key: `${name}\0${file}\0${Number(fn.startLine)}`,
    });
  }
  const locations = new Map<number, number[]>();
  for (const loc of profile.location)
    locations.set(
      Number(loc.id),
      loc.line.map((l) => Number(l.functionId)),
    );
  return {
    types: profile.sampleType.map((t) => strings[Number(t.type)] ?? ''),
    units: profile.sampleType.map((t) => strings[Number(t.unit)] ?? ''),
    defaultType: profile.defaultSampleType ? strings[Number(profile.defaultSampleType)] : undefined,
    functions,
    locations,
  };
}

/**
 * The index of a sample type: the one asked for, else the profile's default, else the last one (as `go tool pprof`
 * picks). Throws naming the types the profile has.
 */
export function sampleTypeIndex(index: ProfileIndex, wanted?: string): number {
  const type = wanted ?? index.defaultType ?? index.types[index.types.length - 1] ?? '';
  const i = index.types.indexOf(type);
  if (i < 0) throw new Error(`no sample type "${type}" in this profile; it has ${index.types.join(', ')}`);
  return i;
}

/** The functions of a sample's stack, leaf first, inlined frames expanded. */
export function sampleFunctions(index: ProfileIndex, sample: Sample): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  for (const locationId of sample.locationId) {
    for (const fnId of index.locations.get(Number(locationId)) ?? []) {
      out.push(index.functions.get(fnId) ?? { name: '?', file: '', line: 0, key: '?' });
    }
  }
  return out;
}
