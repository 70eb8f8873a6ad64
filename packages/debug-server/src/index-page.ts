import type { CaptureMetadata } from '@vigil/store';
import { describeReason, formatBytes } from './capture-reason.ts';
import { escapeHtml as escape } from './html-escape.ts';

export interface IndexEntry {
  path: string;
  description: string;
  /** A ready command line, or undefined when the route is not for `go tool pprof`. */
  command?: string;
  /** The live profile as a flame graph page, where there is one. */
  flame?: string;
}

/** A stored capture as the index lists it (the store's metadata). */
export type RecentCapture = Pick<CaptureMetadata, 'id' | 'type' | 'startedAt' | 'endedAt' | 'reason' | 'traceCount'> &
  Partial<Pick<CaptureMetadata, 'bytes' | 'format'>>;

/** A rule in force, in words. */
export interface IndexRule {
  name: string;
  metric: string;
  condition: string;
  capture: string;
  cooldown: string;
}

/** A latest firing of a rule: what it captured, or why not. */
export interface IndexFiring {
  rule: string;
  firedAt: number;
  captureIds: readonly string[];
  skipped?: string;
}

export interface IndexExtras {
  /** The captures listed are those of this trace. */
  traceId?: string;
  /** The rules in force; undefined when triggers are not running. */
  rules?: readonly IndexRule[];
  firings?: readonly IndexFiring[];
}

const captureLink = (id: string, suffix = '', traceId?: string) =>
  `/debug/vigil/captures/${encodeURIComponent(id)}${suffix}${traceId ? `?trace_id=${traceId}` : ''}`;

/**
 * The `/debug/pprof/` index: each live profile with a description and a ready `go tool pprof` command; the stored
 * captures, newest first, with their reason, size and links (flame graph, pprof), filtered by a trace id typed in the
 * box; the rules in force and their latest firings. Every store field is escaped.
 */
/** Captures the index lists: at most `others` triggered or requested ones, and only the newest few continuous ones. */
const INDEX_CAPTURES = 25;
const INDEX_CONTINUOUS = 6;

/**
 * The captures worth a row, newest first: continuous profiles arrive every period and would push every triggered
 * capture off the page, so only the newest few of them are shown (all are at `?reason=continuous`).
 */
export function indexCaptures<T extends RecentCapture>(listed: readonly T[]): T[] {
  let continuous = 0;
  let others = 0;
  return listed.filter((c) =>
    c.reason.kind === 'continuous' ? ++continuous <= INDEX_CONTINUOUS : ++others <= INDEX_CAPTURES,
  );
}

export function renderIndex(
  baseUrl: string,
  entries: readonly IndexEntry[],
  notes: readonly string[],
  recent: readonly RecentCapture[] = [],
  extras: IndexExtras = {},
): string {
  const rows = entries
    .map(
      (e) => `    <tr>
      <td><a href="${escape(e.path)}">${escape(e.path.replace('/debug/pprof/', '') || '/')}</a></td>
      <td>${escape(e.description)}</td>
      <td>${e.flame ? `<a href="${escape(e.flame)}">flame graph</a>` : ''}</td>
      <td>${e.command ? `<code>${escape(e.command)}</code>` : ''}</td>
    </tr>`,
    )
    .join('\n');
  const traceId = extras.traceId;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <link rel="icon" href="data:,">
  <title>/debug/pprof/ — Vigil</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
    table { border-collapse: collapse; }
    td, th { padding: .35rem .8rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
    code { background: #f3f3f3; padding: .1rem .3rem; border-radius: 3px; }
    td.links a { margin-right: .6rem; }
    form { margin: .6rem 0; }
    input[type=search] { width: 22rem; font-family: ui-monospace, monospace; }
  </style>
</head>
<body>
  <h1>/debug/pprof/</h1>
  <p>Profiles of this live process (pid ${process.pid}, Node.js ${escape(process.version)}), served by Vigil at ${escape(baseUrl)}.</p>
  <table id="profiles">
    <thead><tr><th>profile</th><th>what it shows</th><th>see</th><th>command</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
${notes.map((n) => `  <p>${escape(n)}</p>`).join('\n')}
  <h2>Captures${traceId ? ` of trace <code>${escape(traceId)}</code>` : ''}</h2>
  <form id="trace-form" method="get" action="/debug/pprof/">
    <label>Trace id <input type="search" id="trace-id" name="trace_id" value="${escape(traceId ?? '')}" placeholder="32 hex characters" pattern="[0-9a-f]{32}" autocomplete="off"></label>
    <button type="submit">Find its captures</button>${traceId ? ' <a href="/debug/pprof/">all captures</a>' : ''}
  </form>
${
  recent.length === 0
    ? traceId
      ? '  <p id="no-captures">No capture holds samples of this trace.</p>'
      : '  <p id="no-captures">None yet. <code>curl -X POST -d \'{"type":"cpu","seconds":10}\' ' +
        escape(baseUrl) +
        '/debug/vigil/captures</code> takes one.</p>'
    : `  <table id="captures">
    <thead><tr><th>capture</th><th>type</th><th>why</th><th>window (UTC)</th><th>size</th><th>traces</th><th>open</th></tr></thead>
    <tbody>
${recent.map((c) => captureRow(c, traceId)).join('\n')}
    </tbody>
  </table>`
}
${recent.some((c) => c.reason.kind === 'continuous') ? `  <p id="continuous-note">Continuous profiles (one per period): the newest ${INDEX_CONTINUOUS} are shown; <a href="/debug/vigil/captures?reason=continuous">/debug/vigil/captures?reason=continuous</a> lists them all.</p>\n` : ''}  <p>All captures as JSON: <a href="/debug/vigil/captures">/debug/vigil/captures</a> (filters: trace_id, span_id, rule, reason, type, since, until).</p>
${rulesSection(extras)}
</body>
</html>
`;
}

function captureRow(c: RecentCapture, traceId: string | undefined): string {
  const seconds = (Date.parse(c.endedAt) - Date.parse(c.startedAt)) / 1_000;
  const snapshot = c.format === 'heapsnapshot' || c.type === 'heapsnapshot';
  // A trace filter applies to CPU samples only; other captures open whole.
  const trace = c.type === 'cpu' ? traceId : undefined;
  const links = [
    snapshot ? '' : `<a href="${escape(captureLink(c.id, '/flame', trace))}">flame</a>`,
    `<a href="${escape(captureLink(c.id, '', trace))}">${snapshot ? 'heapsnapshot' : 'pprof'}</a>`,
  ].filter(Boolean);
  return `    <tr>
      <td><code>${escape(c.id)}</code></td>
      <td>${escape(c.type)}</td>
      <td>${escape(describeReason(c.reason))}</td>
      <td>${escape(String(c.startedAt).replace('T', ' ').slice(0, 19))} (${escape(seconds.toFixed(1))} s)</td>
      <td>${c.bytes === undefined ? '' : escape(formatBytes(c.bytes))}</td>
      <td>${escape(c.traceCount)}</td>
      <td class="links">${links.join(' ')}</td>
    </tr>`;
}

function rulesSection(extras: IndexExtras): string {
  if (extras.rules === undefined)
    return '  <h2>Rules</h2>\n  <p id="rules">Triggers are not running in this process.</p>';
  const rules =
    extras.rules.length === 0
      ? '  <p id="rules">No rules in force.</p>'
      : `  <table id="rules">
    <thead><tr><th>rule</th><th>when</th><th>captures</th><th>cooldown</th></tr></thead>
    <tbody>
${extras.rules.map((r) => `    <tr><td>${escape(r.name)}</td><td><code>${escape(r.metric)}</code> ${escape(r.condition)}</td><td>${escape(r.capture)}</td><td>${escape(r.cooldown)}</td></tr>`).join('\n')}
    </tbody>
  </table>`;
  const firings = extras.firings ?? [];
  const latest =
    firings.length === 0
      ? '  <p id="firings">No rule has fired yet.</p>'
      : `  <table id="firings">
    <thead><tr><th>rule</th><th>fired (UTC)</th><th>outcome</th></tr></thead>
    <tbody>
${firings
  .map((f) => {
    const outcome = f.skipped
      ? `skipped: ${escape(f.skipped)}`
      : f.captureIds.length === 0
        ? 'capturing…'
        : f.captureIds.map((id) => `<a href="${escape(captureLink(id, '/flame'))}">${escape(id)}</a>`).join(' ');
    return `    <tr><td>${escape(f.rule)}</td><td>${escape(new Date(f.firedAt).toISOString().replace('T', ' ').slice(0, 19))}</td><td>${outcome}</td></tr>`;
  })
  .join('\n')}
    </tbody>
  </table>`;
  return `  <h2>Rules in force</h2>\n${rules}\n  <h2>Latest firings</h2>\n${latest}`;
}
