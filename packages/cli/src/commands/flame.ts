import { writeFile } from 'node:fs/promises';
import { flameGraphs } from '@vigil/pprof';
import { renderFlamePage } from '@vigil/debug-server/flame-page';
import { loadProfile } from '../load-profile.ts';
import type { CaptureSource } from '../source.ts';

/**
 * `vigil flame FILE|ID [-o out.html] [--trace ID]`: the debug server's flame page as one offline file — scripts,
 * styles, data and the pprof itself (as the download link) inlined; it makes no request when opened.
 */
export async function flameCommand(
  source: CaptureSource | undefined,
  target: string,
  options: { trace?: string; output?: string; url?: string },
): Promise<string> {
  const loaded = await loadProfile(source, target, options.trace);
  const id = loaded.metadata?.id;
  const live = options.url && id ? options.url.replace(/\/+$/, '') : undefined;
  const pprofOnServer = live
    ? `${live}/debug/vigil/captures/${encodeURIComponent(id!)}${options.trace ? `?trace_id=${options.trace}` : ''}`
    : undefined;
  const { html } = renderFlamePage(
    {
      title: loaded.name,
      graphs: flameGraphs(loaded.profile),
      capture: loaded.metadata,
      traceId: options.trace,
      links: {
        pprof: `data:application/octet-stream;base64,${loaded.bytes.toString('base64')}`,
        pprofName: `${loaded.name.replace(/\.pb(\.gz)?$/, '')}${options.trace ? `-${options.trace}` : ''}.pb.gz`,
        // speedscope needs the profile over HTTP: only when it came from a live process.
        ...(pprofOnServer
          ? {
              speedscope: `${live}/debug/vigil/speedscope/index.html#profileURL=${encodeURIComponent(pprofOnServer)}&title=${encodeURIComponent(loaded.name)}`,
            }
          : {}),
      },
    },
    'inline',
  );
  const file = options.output ?? `${loaded.name.replace(/\.pb(\.gz)?$/, '')}.flame.html`;
  await writeFile(file, html);
  return `wrote ${file} (${Math.round(Buffer.byteLength(html) / 1024)} KiB)\n`;
}
