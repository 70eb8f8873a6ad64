import { describe, expect, it } from 'vitest';
import { formatWhatChanged, whatChanged } from '../src/index.ts';
import { profileOf } from './profile-of.ts';

describe('whatChanged', () => {
  const baseline = profileOf(
    [
      { frames: ['leftPad', 'handler'], value: 60 },
      { frames: ['render', 'handler'], value: 40 },
      { frames: ['(idle)'], value: 10 },
    ],
    ['wall', 'cpu'],
  );
  // The incident: a stall in blockEventLoop, more idle time, and the usual work diluted.
  const incident = profileOf(
    [
      { frames: ['leftPad', 'handler'], value: 60 },
      { frames: ['render', 'handler'], value: 30 },
      { frames: ['blockEventLoop', 'handler'], value: 90 },
      { frames: ['(idle)'], value: 200 },
    ],
    ['wall', 'cpu'],
  );

  it('names the functions whose self share grew, most first, on CPU time when there is some', () => {
    const result = whatChanged(baseline, incident);
    expect(result.sampleType).toBe('cpu');
    expect(result.grew.map((g) => g.name)).toEqual(['blockEventLoop']);
    expect(result.grew[0]).toMatchObject({ file: 'blockEventLoop.js', line: 1, baselineShare: 0 });
    expect(result.grew[0]!.incidentShare).toBeCloseTo(90 / 380);
    expect(formatWhatChanged(result)).toEqual([
      '+23.7 pts  blockEventLoop (0.0% -> 23.7% of cpu)  blockEventLoop.js:1',
    ]);
  });

  it('ranks by growth in share, not by size; a function absent from the baseline grows from 0', () => {
    const before = profileOf([
      { frames: ['a'], value: 90 },
      { frames: ['b'], value: 10 },
    ]);
    const after = profileOf([
      { frames: ['a'], value: 50 },
      { frames: ['b'], value: 35 },
      { frames: ['c'], value: 15 },
    ]);
    const grew = whatChanged(before, after).grew.map((g) => [
      g.name,
      Math.round((g.incidentShare - g.baselineShare) * 100),
    ]);
    expect(grew).toEqual([
      ['b', 25],
      ['c', 15],
    ]);
    expect(whatChanged(before, after, 1).grew).toHaveLength(1);
  });

  it('uses wall time when the profiles have no CPU time, and finds nothing when nothing grew', () => {
    const wallOnly = profileOf([{ frames: ['a'], value: 5 }], ['wall']);
    expect(whatChanged(wallOnly, wallOnly)).toEqual({ sampleType: 'wall', grew: [] });
  });
});
