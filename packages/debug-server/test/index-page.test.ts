import { describe, expect, it } from 'vitest';
import { renderIndex, type RecentCapture } from '../src/index-page.ts';

const capture = (over: Partial<RecentCapture>): RecentCapture => ({
  id: '20261201T000000000Z-abcdef',
  type: 'cpu',
  startedAt: '2026-12-01T00:00:00.000Z',
  endedAt: '2026-12-01T00:00:02.500Z',
  reason: { kind: 'rule', name: 'stall', value: 0.5, threshold: 0.3 },
  traceCount: 3,
  bytes: 4096,
  format: 'pprof',
  ...over,
});

describe('renderIndex', () => {
  it('lists each capture with its reason, window, size, traces and links', () => {
    const html = renderIndex('http://127.0.0.1:6060', [], [], [capture({})]);
    const row = /<table id="captures">.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1]!;
    expect(row).toContain('<td>rule stall fired (value 0.5, threshold 0.3)</td>');
    expect(row).toContain('<td>2026-12-01 00:00:00 (2.5 s)</td>');
    expect(row).toContain('<td>4.0 KiB</td>');
    expect(row).toContain('<td>3</td>');
    expect(row).toContain(
      '<a href="/debug/vigil/captures/20261201T000000000Z-abcdef/flame">flame</a> <a href="/debug/vigil/captures/20261201T000000000Z-abcdef">pprof</a>',
    );
  });

  it('with a trace id: the box holds it, CPU links filter by it, other captures open whole', () => {
    const trace = 'a'.repeat(32);
    const html = renderIndex(
      'http://x',
      [],
      [],
      [capture({}), capture({ id: '20261201T000000000Z-111111', type: 'heap' })],
      { traceId: trace },
    );
    expect(html).toContain(`value="${trace}"`);
    expect(html).toContain(`href="/debug/vigil/captures/20261201T000000000Z-abcdef/flame?trace_id=${trace}"`);
    expect(html).toContain('href="/debug/vigil/captures/20261201T000000000Z-111111/flame"');
    expect(renderIndex('http://x', [], [], [], { traceId: trace })).toContain(
      'No capture holds samples of this trace.',
    );
  });

  it('escapes every store field, rule and firing', () => {
    const evil = '"><script>x</script>';
    const html = renderIndex(
      'http://x',
      [],
      [],
      [capture({ id: evil, type: evil as 'cpu', reason: { kind: 'rule', name: evil } })],
      {
        rules: [{ name: evil, metric: evil, condition: evil, capture: evil, cooldown: evil }],
        firings: [
          { rule: evil, firedAt: 0, captureIds: [evil], skipped: undefined },
          { rule: 'r', firedAt: 0, captureIds: [], skipped: evil },
        ],
      },
    );
    expect(html).not.toContain('<script>');
    expect(html.match(/&quot;&gt;&lt;script&gt;x&lt;\/script&gt;/g)!.length).toBeGreaterThanOrEqual(8);
    expect(html).toContain('href="/debug/vigil/captures/%22%3E%3Cscript%3Ex%3C%2Fscript%3E/flame"');
  });

  it('says when triggers are off, when no rule is in force, and when none fired', () => {
    expect(renderIndex('http://x', [], [])).toContain('Triggers are not running in this process.');
    const html = renderIndex('http://x', [], [], [], { rules: [], firings: [] });
    expect(html).toContain('No rules in force.');
    expect(html).toContain('No rule has fired yet.');
  });

  it('escapes every store field it renders, traceCount included', () => {
    // Store metadata is read back from disk: a file written by someone else may hold anything in any field.
    const hostile = '<img src=x onerror=alert(1)>';
    const capture = {
      id: `"><script>alert(1)</script>`,
      type: hostile,
      startedAt: hostile,
      endedAt: `2026-01-01T${hostile}`,
      reason: { kind: hostile, name: hostile },
      traceCount: hostile,
    } as unknown as RecentCapture;
    const html = renderIndex('http://127.0.0.1:6060', [], [], [capture]);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>&lt;img src=x onerror=alert(1)&gt;</td>\n      <td class="links">'); // the traces cell
    expect(html).toContain('href="/debug/vigil/captures/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E/flame"');
  });
});
