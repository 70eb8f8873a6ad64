import { describe, expect, it } from 'vitest';
import { renderIndex, type RecentCapture } from '../src/index-page.ts';

describe('the /debug/pprof/ index', () => {
  it('escapes every store field it renders, traceCount included', () => {
    // Store metadata is read back from disk: a file written by someone else may hold anything in any field.
    const hostile = '<img src=x onerror=alert(1)>';
    const capture = {
      id: `"><script>alert(1)</script>`,
      type: hostile,
      startedAt: hostile,
      endedAt: `2026-01-01T${hostile}`,
      reason: { kind: hostile, name: hostile },
      traceCount: hostile as unknown as number,
    } satisfies RecentCapture;
    const html = renderIndex('http://127.0.0.1:6060', [], [], [capture]);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>&lt;img src=x onerror=alert(1)&gt;</td>\n    </tr>'); // the traces cell
    expect(html).toContain('href="/debug/vigil/captures/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"');
  });
});
