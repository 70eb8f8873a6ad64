export interface IndexEntry {
  path: string;
  description: string;
  /** A ready command line, or undefined when the route is not for `go tool pprof`. */
  command?: string;
}

/** Every value rendered goes through this, numbers included: store metadata is read from disk and may be anything. */
const escape = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The `/debug/pprof/` index: each profile with a one-line description and a ready `go tool pprof` command. */
export interface RecentCapture {
  id: string;
  type: string;
  startedAt: string;
  endedAt: string;
  reason: { kind: string; name?: string };
  traceCount: number;
}

export function renderIndex(baseUrl: string, entries: readonly IndexEntry[], notes: readonly string[], recent: readonly RecentCapture[] = []): string {
  const rows = entries
    .map(
      (e) => `    <tr>
      <td><a href="${escape(e.path)}">${escape(e.path.replace('/debug/pprof/', '') || '/')}</a></td>
      <td>${escape(e.description)}</td>
      <td>${e.command ? `<code>${escape(e.command)}</code>` : ''}</td>
    </tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>/debug/pprof/ — Vigil</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
    table { border-collapse: collapse; }
    td, th { padding: .35rem .8rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
    code { background: #f3f3f3; padding: .1rem .3rem; border-radius: 3px; }
  </style>
</head>
<body>
  <h1>/debug/pprof/</h1>
  <p>Profiles of this live process (pid ${process.pid}, Node.js ${escape(process.version)}), served by Vigil at ${escape(baseUrl)}.</p>
  <table>
    <thead><tr><th>profile</th><th>what it shows</th><th>command</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
${notes.map((n) => `  <p>${escape(n)}</p>`).join('\n')}
  <h2>Recent captures</h2>
${
  recent.length === 0
    ? '  <p id="no-captures">None yet. <code>curl -X POST -d \'{"type":"cpu","seconds":10}\' ' + escape(baseUrl) + '/debug/vigil/captures</code> takes one.</p>'
    : `  <table id="captures">
    <thead><tr><th>capture</th><th>type</th><th>window</th><th>why</th><th>traces</th></tr></thead>
    <tbody>
${recent
  .map(
    (c) => `    <tr>
      <td><a href="/debug/vigil/captures/${escape(encodeURIComponent(String(c.id)))}">${escape(c.id)}</a></td>
      <td>${escape(c.type)}</td>
      <td>${escape(c.startedAt)} – ${escape(String(c.endedAt ?? '').slice(11))}</td>
      <td>${escape(c.reason?.kind)}${c.reason?.name ? `: ${escape(c.reason.name)}` : ''}</td>
      <td>${escape(c.traceCount)}</td>
    </tr>`,
  )
  .join('\n')}
    </tbody>
  </table>`
}
  <p>All captures as JSON: <a href="/debug/vigil/captures">/debug/vigil/captures</a> (filters: trace_id, span_id, rule, type, since, until).</p>
</body>
</html>
`;
}
