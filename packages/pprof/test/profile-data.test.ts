import { describe, expect, it } from 'vitest';
import {
  decodeProfile,
  encodeProfile,
  filterByLabel,
  formatTop,
  mergeProfiles,
  topTable,
  traceRefs,
} from '../src/index.ts';
import { profileOf } from './profile-of.ts';

describe('@vigil/pprof', () => {
  const profile = profileOf([
    { frames: ['leftPad', 'handler', 'main'], value: 30, labels: { trace_id: 'aa', span_id: '01' } },
    { frames: ['handler', 'main'], value: 10, labels: { trace_id: 'bb', span_id: '02', local_root_span_id: '03' } },
    { frames: ['gc'], value: 5 },
  ]);

  it('round-trips through gzipped protobuf, and reads the ungzipped form too', async () => {
    const bytes = await encodeProfile(profile);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const again = await decodeProfile(bytes);
    expect(topTable(again)).toEqual(topTable(profile));
    expect(topTable(await decodeProfile(profile.encode())).total).toBe(45);
  });

  it('top: flat is the leaf, cum counts a function once per sample, rows by flat', () => {
    const table = topTable(profile);
    expect(table).toMatchObject({ sampleType: 'cpu', unit: 'nanoseconds', total: 45 });
    expect(table.rows.map((r) => [r.name, r.flat, r.cum])).toEqual([
      ['leftPad', 30, 30],
      ['handler', 10, 40],
      ['gc', 5, 5],
      ['main', 0, 40],
    ]);
    expect(formatTop(table, 1)).toContain('Showing top 1 of 4 functions');
    expect(() => topTable(profile, 'wall')).toThrow(/no sample type "wall".*cpu/);
  });

  it('filters samples by a label and lists the traces with their spans', () => {
    expect(topTable(filterByLabel(profile, 'trace_id', 'aa')).rows.map((r) => r.name)).toEqual([
      'leftPad',
      'handler',
      'main',
    ]);
    expect(filterByLabel(profile, 'trace_id', 'zz').sample).toHaveLength(0);
    const refs = traceRefs(profile).map((r) => ({ ...r, spanIds: [...r.spanIds].sort() }));
    expect(refs).toEqual([
      { traceId: 'aa', spanIds: ['01'] },
      { traceId: 'bb', spanIds: ['02', '03'] },
    ]);
  });

  it('merges profiles into one string and function table, keeping values and labels', () => {
    const other = profileOf([{ frames: ['leftPad', 'handler', 'main'], value: 7, labels: { trace_id: 'cc' } }]);
    other.timeNanos = 2_000;
    const merged = mergeProfiles([profile, other]);
    const rows = topTable(merged).rows;
    expect(rows.find((r) => r.name === 'leftPad')).toMatchObject({ flat: 37, cum: 37 });
    expect(merged.function).toHaveLength(4);
    expect(
      traceRefs(merged)
        .map((r) => r.traceId)
        .sort(),
    ).toEqual(['aa', 'bb', 'cc']);
    expect([Number(merged.timeNanos), Number(merged.durationNanos)]).toEqual([1_000, 1_010]);
    expect(() => mergeProfiles([])).toThrow(/no profiles/);
  });
});
