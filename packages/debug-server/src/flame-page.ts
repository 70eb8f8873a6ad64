import type { FlameGraph } from '@vigil/pprof';
import type { CaptureMetadata } from '@vigil/store';
import { FLAME_SCRIPTS, FLAME_STYLES, cspHash, flameAsset, injectedStyleHashes } from './flame-assets.ts';
import { describeReason, formatBytes } from './capture-reason.ts';
import { escapeHtml as esc, jsonForScript } from './html-escape.ts';

/** What a flame page shows: one graph per sample type, and what is known of where the profile came from. */
export interface FlamePageModel {
  /** The capture id, a file name, or the live profile's name. */
  title: string;
  graphs: readonly FlameGraph[];
  /** A differential graph (frames carry `delta`): coloured by change, not by name. */
  differential?: boolean;
  /** The stored capture's metadata, when the profile is one. */
  capture?: Pick<
    CaptureMetadata,
    'id' | 'type' | 'startedAt' | 'endedAt' | 'reason' | 'samples' | 'traceCount' | 'service' | 'host' | 'pid'
  > & { bytes?: number; whatChanged?: CaptureMetadata['whatChanged'] };
  /** The page shows only this trace's samples. */
  traceId?: string;
  links?: { pprof?: string; pprofName?: string; speedscope?: string; unfiltered?: string; index?: string };
  /** A line under the title (e.g. "base A, new B" of a diff). */
  subtitle?: string;
}

export interface RenderedFlamePage {
  html: string;
  /** The Content-Security-Policy the page needs: send it as a header (served), or it is in a meta tag (inline). */
  csp: string;
}

/** Frames the toggle hides: waiting, and the runtime's own threads — rarely what one looks for. */
export const HIDDEN_FRAMES = ['(idle)', 'Non JS threads activity'];

const TYPE_LABELS: Record<string, string> = {
  cpu: 'CPU time',
  wall: 'wall time',
  inuse_space: 'heap in-use space',
  inuse_objects: 'heap in-use objects',
  resources: 'handles',
  sample: 'samples',
};
const TYPE_ORDER = ['cpu', 'wall', 'inuse_space', 'resources'];

const rank = (type: string) => (TYPE_ORDER.includes(type) ? TYPE_ORDER.indexOf(type) : TYPE_ORDER.length);

/**
 * The flame graph page. `served`: scripts and styles come from the debug server (`/debug/vigil/assets/…`) and the CSP
 * allows only 'self'. `inline`: one offline file (`vigil flame -o`), everything inlined and allowed by hash; the CSP
 * forbids any request at all.
 */
export function renderFlamePage(model: FlamePageModel, mode: 'served' | 'inline'): RenderedFlamePage {
  const graphs = [...model.graphs]
    .sort((a, b) => rank(a.sampleType) - rank(b.sampleType))
    .map((g) => ({ ...g, label: TYPE_LABELS[g.sampleType] ?? g.sampleType }));
  const data = jsonForScript({ graphs, differential: model.differential ?? false, hidden: HIDDEN_FRAMES });
  const styleHashes = injectedStyleHashes();
  let head: string;
  let scripts: string;
  let csp: string;
  if (mode === 'served') {
    head = FLAME_STYLES.map((s) => `  <link rel="stylesheet" href="/debug/vigil/assets/${s}">`).join('\n');
    scripts = FLAME_SCRIPTS.map((s) => `  <script src="/debug/vigil/assets/${s}"></script>`).join('\n');
    csp = [
      "default-src 'none'",
      "script-src 'self'",
      `style-src 'self' ${styleHashes.join(' ')}`.trim(),
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; ');
  } else {
    const styles = FLAME_STYLES.map((s) => flameAsset(s)!.body.toString('utf8'));
    const inlineScripts = FLAME_SCRIPTS.map((s) => flameAsset(s)!.body.toString('utf8'));
    head = styles.map((s) => `  <style>${s}</style>`).join('\n');
    scripts = inlineScripts.map((s) => `  <script>${s}</script>`).join('\n');
    csp = [
      "default-src 'none'",
      `script-src ${inlineScripts.map(cspHash).join(' ')}`,
      `style-src ${[...styles.map(cspHash), ...styleHashes].join(' ')}`,
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');
    head = `  <meta http-equiv="Content-Security-Policy" content="${esc(csp)}">\n${head}`;
  }
  const html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <title>${esc(`${model.differential ? 'Differential flame graph' : 'Flame graph'} — ${model.title}`)}</title>
${head}
</head>
<body>
  <h1>${model.differential ? 'Differential flame graph' : 'Flame graph'}: <span id="title">${esc(model.title)}</span></h1>
${model.subtitle ? `  <p class="facts">${esc(model.subtitle)}</p>\n` : ''}${model.capture ? captureFacts(model.capture) : ''}${model.traceId ? traceFacts(model.traceId, model.links?.unfiltered) : ''}${model.capture?.whatChanged ? whatChangedPanel(model.capture.whatChanged) : ''}  <div class="toolbar">
    <label>Sample type <select id="sample-type">
${graphs.map((g, i) => `      <option value="${i}">${esc(g.label)}</option>`).join('\n')}
    </select></label>
    <label><input type="search" id="search" placeholder="Search functions" autocomplete="off"></label>
    <label><input type="checkbox" id="hide-idle" checked> Hide ${HIDDEN_FRAMES.map((f) => `"${esc(f)}"`).join(' and ')}</label>
    <button type="button" id="reset-zoom">Reset zoom</button>
    <span class="links">${links(model)}</span>
  </div>
  <div id="total"></div>
  <div id="details"></div>
${graphs.length === 0 ? '  <p class="empty" id="no-samples">This profile has no samples.</p>\n' : ''}  <div id="chart"></div>
${model.differential ? '  <p class="facts">Orange: only in the new profile; red: grew; blue: shrank; grey: unchanged. Width: the new profile.</p>\n' : ''}  <script type="application/json" id="vigil-flame-data">${data}</script>
${scripts}
</body>
</html>
`;
  return { html, csp };
}

function captureFacts(c: NonNullable<FlamePageModel['capture']>): string {
  const seconds = (Date.parse(c.endedAt) - Date.parse(c.startedAt)) / 1_000;
  const size = c.bytes === undefined ? '' : `, ${formatBytes(c.bytes)}`;
  return `  <p class="facts" id="reason"><b>Why:</b> ${esc(describeReason(c.reason))}</p>
  <p class="facts" id="window"><b>Window:</b> ${esc(c.startedAt)} – ${esc(c.endedAt)} (${esc(seconds.toFixed(1))} s) · ${esc(c.type)} · ${c.samples} samples · ${c.traceCount} traces${size} · ${esc(c.service)} on ${esc(c.host)}, pid ${c.pid}</p>
`;
}

function traceFacts(traceId: string, unfiltered: string | undefined): string {
  return `  <p class="filtered" id="trace-filter">Only the samples of trace <code>${esc(traceId)}</code>.${unfiltered ? ` <a href="${esc(unfiltered)}">Show all</a>` : ''}</p>
`;
}

function whatChangedPanel(changed: NonNullable<CaptureMetadata['whatChanged']>): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  const seconds = (Date.parse(changed.baseline.endedAt) - Date.parse(changed.baseline.startedAt)) / 1_000;
  const items = changed.grew.map(
    (g) =>
      `      <li><code>${esc(g.name)}</code> ${pct(g.baselineShare)} → ${pct(g.incidentShare)} (+${((g.incidentShare - g.baselineShare) * 100).toFixed(1)} pts)${g.file ? ` <span class="facts" title="${esc(g.file)}">${esc(shortPath(g.file))}${g.line ? `:${g.line}` : ''}</span>` : ''}</li>`,
  );
  return `  <section id="what-changed">
    <h2>What changed: self share of ${esc(TYPE_LABELS[changed.sampleType] ?? changed.sampleType)}, against the ${esc(seconds.toFixed(0))} s before (${esc(changed.baseline.startedAt.slice(11, 19))}–${esc(changed.baseline.endedAt.slice(11, 19))} UTC)</h2>
${items.length === 0 ? '    <p>No function grew its share.</p>' : `    <ol>\n${items.join('\n')}\n    </ol>`}
  </section>
`;
}

function links(model: FlamePageModel): string {
  const out: string[] = [];
  const l = model.links ?? {};
  if (l.pprof)
    out.push(
      `<a id="download" href="${esc(l.pprof)}"${l.pprofName ? ` download="${esc(l.pprofName)}"` : ''}>Download pprof</a>`,
    );
  if (l.speedscope) out.push(`<a id="speedscope" href="${esc(l.speedscope)}">Open in speedscope</a>`);
  if (l.index) out.push(`<a href="${esc(l.index)}">All captures</a>`);
  return out.join(' ');
}

/** The last two segments of a path: enough to recognise a file, short enough to read (the whole path is its title). */
function shortPath(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : file;
}
