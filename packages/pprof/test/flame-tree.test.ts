import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { flameGraph, flameGraphs, type FlameNode } from '../src/index.ts';
import { profileOf } from './profile-of.ts';

/** name(value)[children] of a tree, children in insertion order: compact to compare. */
const shape = (n: FlameNode): string =>
  `${n.name}(${n.value})${n.children.length ? `[${n.children.map(shape).join(',')}]` : ''}`;

describe('flameGraph', () => {
  it('builds the call tree root first, merging frames of the same function under the same parent', () => {
    const profile = profileOf([
      { frames: ['leftPad', 'handler', 'main'], value: 30 },
      { frames: ['handler', 'main'], value: 10 },
      { frames: ['leftPad', 'other', 'main'], value: 5 },
      { frames: ['(idle)'], value: 50 },
      { frames: ['zero', 'main'], value: 0 },
    ]);
    const graph = flameGraph(profile);
    expect(graph).toMatchObject({ sampleType: 'cpu', unit: 'nanoseconds', total: 95 });
    expect(shape(graph.root)).toBe('all(95)[main(45)[handler(40)[leftPad(30)],other(5)[leftPad(5)]],(idle)(50)]');
    expect(graph.root.children[0]).toMatchObject({ name: 'main', file: 'main.js', line: 1 });
  });

  it('expands inlined frames: the last line of a location is the caller', () => {
    const strings = new StringTable();
    const profile = new Profile({ stringTable: strings });
    profile.sampleType = [new ValueType({ type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') })];
    for (const [id, name] of ['outer', 'inlined', 'leaf'].entries()) {
      profile.function.push(
        new PprofFunction({ id: id + 1, name: strings.dedup(name), filename: strings.dedup('a.js') }),
      );
    }
    profile.location.push(new Location({ id: 1, line: [new Line({ functionId: 3 })] }));
    profile.location.push(new Location({ id: 2, line: [new Line({ functionId: 2 }), new Line({ functionId: 1 })] }));
    profile.sample.push(new Sample({ locationId: [1, 2], value: [7] }));
    expect(shape(flameGraph(profile).root)).toBe('all(7)[outer(7)[inlined(7)[leaf(7)]]]');
  });

  it('one graph per sample type with any value; an unknown type names the ones there are', () => {
    const profile = profileOf([{ frames: ['a'], value: 3 }], ['cpu', 'wall']);
    expect(flameGraphs(profile).map((g) => [g.sampleType, g.total])).toEqual([
      ['cpu', 3],
      ['wall', 3],
    ]);
    expect(flameGraphs(profileOf([{ frames: ['a'], value: 0 }]))).toEqual([]);
    expect(() => flameGraph(profile, 'inuse_space')).toThrow(/no sample type "inuse_space".*cpu, wall/);
  });
});
