import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { HandleTracker } from './handle-tracker.ts';

/**
 * Node's answer to Go's goroutine profile: active resources as a pprof profile (`resources/count`). Without tracking,
 * one frame per resource type (from `process.getActiveResourcesInfo()`); with tracking, each handle's creation stack
 * under a root frame naming its type.
 */
export function handlesProfile(tracker?: HandleTracker): Profile {
  const builder = new ProfileBuilder();
  if (tracker === undefined) {
    const counts = new Map<string, number>();
    for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
    for (const [type, count] of counts) builder.add([{ name: type, file: '', line: 0 }], count);
  } else {
    const grouped = new Map<string, { frames: { name: string; file: string; line: number }[]; count: number }>();
    for (const resource of tracker.live()) {
      const frames = [...resource.stack, { name: resource.type, file: '', line: 0 }];
      const key = frames.map((f) => `${f.name}@${f.file}:${f.line}`).join('|');
      const entry = grouped.get(key);
      if (entry) entry.count++;
      else grouped.set(key, { frames, count: 1 });
    }
    for (const { frames, count } of grouped.values()) builder.add(frames, count);
  }
  return builder.build();
}

class ProfileBuilder {
  readonly #strings = new StringTable();
  readonly #profile = new Profile({ stringTable: this.#strings });
  readonly #functions = new Map<string, number>();
  readonly #locations = new Map<string, number>();

  constructor() {
    const type = new ValueType({ type: this.#strings.dedup('resources'), unit: this.#strings.dedup('count') });
    this.#profile.sampleType = [type];
    this.#profile.periodType = type;
    this.#profile.period = 1;
    this.#profile.timeNanos = BigInt(Date.now()) * 1_000_000n;
  }

  /** One sample: `frames` innermost first, as pprof expects. */
  add(frames: readonly { name: string; file: string; line: number }[], count: number): void {
    const locationId = frames.map((frame) => this.#location(frame));
    this.#profile.sample.push(new Sample({ locationId, value: [count] }));
  }

  build(): Profile {
    return this.#profile;
  }

  #location(frame: { name: string; file: string; line: number }): number {
    const key = `${frame.name}\0${frame.file}\0${frame.line}`;
    let id = this.#locations.get(key);
    if (id !== undefined) return id;
    const fnKey = `${frame.name}\0${frame.file}`;
    let functionId = this.#functions.get(fnKey);
    if (functionId === undefined) {
      functionId = this.#profile.function.length + 1;
      this.#functions.set(fnKey, functionId);
      this.#profile.function.push(
        new PprofFunction({
          id: functionId,
          name: this.#strings.dedup(frame.name),
          systemName: this.#strings.dedup(frame.name),
          filename: this.#strings.dedup(frame.file),
        }),
      );
    }
    id = this.#profile.location.length + 1;
    this.#locations.set(key, id);
    this.#profile.location.push(new Location({ id, line: [new Line({ functionId, line: frame.line })] }));
    return id;
  }
}
