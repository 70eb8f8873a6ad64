import { createHash } from 'node:crypto';
import { flameGraph, Profile } from '@vigil/pprof';
import { Function as PprofFunction, Line, Location, Sample, StringTable, ValueType } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { renderFlamePage, type FlamePageModel } from '../src/flame-page.ts';

/** A one-sample CPU profile whose function is named `name` (to see what the page does with hostile names). */
function profileNamed(name: string): Profile {
  const strings = new StringTable();
  const profile = new Profile({ stringTable: strings });
  profile.sampleType = [new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') })];
  profile.function.push(new PprofFunction({ id: 1, name: strings.dedup(name), filename: strings.dedup('x.js') }));
  profile.location.push(new Location({ id: 1, line: [new Line({ functionId: 1 })] }));
  profile.sample.push(new Sample({ locationId: [1], value: [5] }));
  return profile;
}

const hostile = '</script><script>alert(1)</script><!--';
const model: FlamePageModel = {
  title: `capture <b>${hostile}`,
  graphs: [flameGraph(profileNamed(hostile))],
  capture: {
    id: '20261201T000000000Z-abcdef',
    type: 'cpu',
    service: '<svc>',
    host: 'h"ost',
    pid: 1,
    startedAt: '2026-12-01T00:00:00.000Z',
    endedAt: '2026-12-01T00:00:03.000Z',
    reason: { kind: 'rule', name: '<rule>', value: 0.512, threshold: 0.3 },
    samples: 1,
    traceCount: 0,
    bytes: 2048,
    whatChanged: {
      sampleType: 'cpu',
      baseline: { startedAt: '2026-12-01T00:00:00.000Z', endedAt: '2026-12-01T00:00:10.000Z' },
      grew: [{ name: '<fn>', file: '/a/b/c.js', line: 3, baselineShare: 0, incidentShare: 0.25 }],
    },
  },
  links: { pprof: '/debug/vigil/captures/x?trace_id="><', speedscope: '/s#a&b' },
};

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('renderFlamePage', () => {
  it('escapes every field, and the data block cannot end its script element', () => {
    const { html } = renderFlamePage(model, 'served');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('capture <b>');
    expect(html).toContain('&lt;rule&gt;');
    expect(html).toContain('h&quot;ost');
    expect(html).toContain('href="/debug/vigil/captures/x?trace_id=&quot;&gt;&lt;"');
    const data = /<script type="application\/json" id="vigil-flame-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(data).not.toContain('<');
    const parsed = JSON.parse(data) as {
      graphs: Array<{ label: string; root: { children: Array<{ name: string }> } }>;
    };
    expect(parsed.graphs[0]!.label).toBe('CPU time');
    expect(parsed.graphs[0]!.root.children[0]!.name).toBe(hostile);
  });

  it('says why, over which window, and what changed', () => {
    const { html } = renderFlamePage(model, 'served');
    expect(html).toContain('<b>Why:</b> rule &lt;rule&gt; fired (value 0.512, threshold 0.3)');
    expect(html).toMatch(
      /<b>Window:<\/b> 2026-12-01T00:00:00.000Z – 2026-12-01T00:00:03.000Z \(3.0 s\) · cpu · 1 samples · 0 traces, 2.0 KiB/,
    );
    expect(html).toMatch(/What changed: self share of CPU time, against the 10 s before/);
    expect(html).toContain(
      '<code>&lt;fn&gt;</code> 0.0 % → 25.0 % (+25.0 pts) <span class="facts" title="/a/b/c.js">…/b/c.js:3</span>',
    );
  });

  it("served: loads only its own scripts, with no inline script, and allows only the library's injected style", () => {
    const { html, csp } = renderFlamePage(model, 'served');
    expect(html.match(/<script src="[^"]+"><\/script>/g)).toEqual([
      '<script src="/debug/vigil/assets/d3.min.js"></script>',
      '<script src="/debug/vigil/assets/d3-flamegraph.js"></script>',
      '<script src="/debug/vigil/assets/flame-page.js"></script>',
    ]);
    expect(html.match(/<script>/g)).toBeNull();
    expect(csp).toMatch(
      /^default-src 'none'; script-src 'self'; style-src 'self' 'sha256-[A-Za-z0-9+/=]+'; img-src 'self' data:; connect-src 'self'/,
    );
    expect(csp).not.toMatch(/unsafe/);
  });

  it('inline: every script and style inlined, each allowed by its own hash, no source at all besides', () => {
    const { html, csp } = renderFlamePage(model, 'inline');
    expect(html).not.toMatch(/<script src=|<link rel="stylesheet"/);
    const scripts = [...html.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>(.*?)<\/style>/gs)].map((m) => m[1]!);
    expect(scripts).toHaveLength(3);
    expect(styles).toHaveLength(2);
    const scriptSrc = /script-src ([^;]+)/.exec(csp)![1]!.split(' ');
    expect(scriptSrc).toEqual(scripts.map(sha));
    for (const style of styles) expect(csp).toContain(sha(style));
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).not.toMatch(/'self'|unsafe|http/);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${csp.replace(/'/g, '&#39;')}">`);
  });
});
