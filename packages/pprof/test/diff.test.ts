import { describe, expect, it } from 'vitest';
import { diffFlameGraph, diffProfiles, formatDiff, mostChanged } from '../src/index.ts';
import { profileOf } from './profile-of.ts';

// The base spends 100 on leftPad of 200; the new profile doubles everything and adds a stall of 200.
const base = profileOf([
  { frames: ['leftPad', 'handler', 'main'], value: 100 },
  { frames: ['render', 'handler', 'main'], value: 100 },
]);
const next = profileOf([
  { frames: ['leftPad', 'handler', 'main'], value: 200 },
  { frames: ['render', 'handler', 'main'], value: 200 },
  { frames: ['block', 'stall', 'main'], value: 200 },
]);

describe('diffProfiles', () => {
  it('absolute: every function that gained, by how much', () => {
    const diff = diffProfiles(base, next);
    expect(diff).toMatchObject({ sampleType: 'cpu', baseTotal: 200, nextTotal: 600, scale: 1, normalize: false });
    const flat = mostChanged(diff, 'flat', 10).map((r) => [r.name, r.flatDelta]);
    expect(flat).toEqual([
      ['block', 200],
      ['leftPad', 100],
      ['render', 100],
    ]);
    const cum = mostChanged(diff, 'cum', 4).map((r) => [r.name, r.cumDelta]);
    expect(cum).toEqual([
      ['main', 400],
      ['block', 200],
      ['handler', 200],
      ['stall', 200],
    ]);
  });

  it('normalized: the base is scaled to the new total, so only shares that moved show', () => {
    const diff = diffProfiles(base, next, { normalize: true });
    expect(diff.scale).toBe(3);
    const flat = mostChanged(diff, 'flat', 10).map((r) => [r.name, r.flatDelta]);
    expect(flat).toEqual([
      ['block', 200],
      ['leftPad', -100],
      ['render', -100],
    ]);
    const leftPad = diff.rows.find((r) => r.name === 'leftPad')!;
    expect(leftPad.flatShare.base).toBe(0.5);
    expect(leftPad.flatShare.next).toBeCloseTo(1 / 3);
    // main is on every stack of both: its share did not move.
    expect(mostChanged(diff, 'cum', 10).map((r) => r.name)).not.toContain('main');
  });

  it('prints both rankings, with shares before and after', () => {
    const text = formatDiff(diffProfiles(base, next, { normalize: true }), 2);
    expect(text).toContain('Total: base 0.00ms, new 0.00ms (base scaled x3.000 to match: shares compared)');
    expect(text).toMatch(
      /Largest changes by flat \(self\) value:\n\s+delta\s+base%\s+new%\s+function\n\s+\+0\.00ms\s+0\.00%\s+33\.33%\s+block block\.js:1\n/,
    );
    expect(text).toMatch(/Largest changes by cumulative value:\n.*\n\s+\+0\.00ms\s+0\.00%\s+33\.33%\s+block /);
    expect(formatDiff(diffProfiles(base, base))).toContain('(no change)');
  });
});

describe('diffFlameGraph', () => {
  it('annotates each frame of the new tree with its change at that call path', () => {
    const graph = diffFlameGraph(base, next, { normalize: true });
    const main = graph.root.children[0]!;
    expect(graph.root.delta).toBe(0);
    expect(main).toMatchObject({ name: 'main', value: 600, delta: 0 });
    const byName = Object.fromEntries(main.children.map((c) => [c.name, c]));
    expect(byName.handler).toMatchObject({ value: 400, delta: -200 });
    expect(byName.stall).toMatchObject({ value: 200, delta: 200 });
    expect(byName.handler!.children.map((c) => [c.name, c.delta])).toEqual([
      ['leftPad', -100],
      ['render', -100],
    ]);
    expect(diffFlameGraph(base, next).root.delta).toBe(400);
  });
});
