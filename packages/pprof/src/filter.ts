import { Profile } from 'pprof-format';

/**
 * A copy of the profile holding only the samples whose label `key` equals `value` (e.g. one trace's samples). The
 * string, function and location tables are shared as they are: pprof readers ignore entries no sample uses.
 */
export function filterByLabel(profile: Profile, key: string, value: string): Profile {
  const strings = profile.stringTable.strings;
  const keyIndex = strings.indexOf(key);
  const valueIndex = strings.indexOf(value);
  const keep =
    keyIndex > 0 && valueIndex > 0
      ? profile.sample.filter((s) => s.label.some((l) => Number(l.key) === keyIndex && Number(l.str) === valueIndex))
      : [];
  return new Profile({
    sampleType: profile.sampleType,
    sample: keep,
    mapping: profile.mapping,
    location: profile.location,
    function: profile.function,
    stringTable: profile.stringTable,
    timeNanos: profile.timeNanos,
    durationNanos: profile.durationNanos,
    periodType: profile.periodType,
    period: profile.period,
    defaultSampleType: profile.defaultSampleType,
  });
}
