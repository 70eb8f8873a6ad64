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
 * A CPU-like profile: each stack is [leaf, ..., root] function names, with a value (the same for each sample type) and
 * optional labels. A function is `NAME` in `NAME.js` at line 1 in every profile made here, so profiles compare.
 */
export function profileOf(
  stacks: Array<{ frames: string[]; value: number; labels?: Record<string, string> }>,
  sampleTypes: readonly string[] = ['cpu'],
): Profile {
  const strings = new StringTable();
  const profile = new Profile({ stringTable: strings, timeNanos: 1_000, durationNanos: 10 });
  profile.sampleType = sampleTypes.map(
    (t) => new ValueType({ type: strings.dedup(t), unit: strings.dedup('nanoseconds') }),
  );
  const fnIds = new Map<string, number>();
  const fn = (name: string) => {
    let id = fnIds.get(name);
    if (id === undefined) {
      id = fnIds.size + 1;
      fnIds.set(name, id);
      profile.function.push(
        new PprofFunction({ id, name: strings.dedup(name), filename: strings.dedup(`${name}.js`), startLine: 1 }),
      );
      profile.location.push(new Location({ id, line: [new Line({ functionId: id, line: 1 })] }));
    }
    return id;
  };
  for (const stack of stacks) {
    const label = Object.entries(stack.labels ?? {}).map(
      ([k, v]) => new Label({ key: strings.dedup(k), str: strings.dedup(v) }),
    );
    profile.sample.push(
      new Sample({ locationId: stack.frames.map(fn), value: sampleTypes.map(() => stack.value), label }),
    );
  }
  return profile;
}
