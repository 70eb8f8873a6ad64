import { openStore, type CaptureFilter, type CaptureMetadata } from '@vigil/store';
import { VigilError } from '@vigil/core';
import { CliError } from './cli-error.ts';
import { waiting } from './progress.ts';

/** Where captures come from: a live process's debug server (`--url`) or a store (`--store`). */
export interface CaptureSource {
  readonly name: string;
  list(filter: CaptureFilter): Promise<CaptureMetadata[]>;
  /** The capture's pprof bytes; with a trace id, only that trace's samples. */
  fetch(id: string, traceId?: string): Promise<Buffer>;
  /** The capture's metadata, if the source has it. */
  metadata(id: string): Promise<CaptureMetadata | undefined>;
}

export function urlSource(base: string, token: string | undefined): CaptureSource {
  const root = base.replace(/\/+$/, '');
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const call = async (path: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(`${root}${path}`, { headers });
    } catch (error) {
      throw new CliError(
        `cannot reach ${root}: ${(error as Error).cause ?? (error as Error).message}; is the process running with Vigil, and is --url right?`,
      );
    }
    if (!response.ok)
      throw new CliError(`${root}${path.split('?')[0]}: ${response.status} ${(await response.text()).trim()}`);
    return response;
  };
  return {
    name: root,
    async list(filter) {
      const params = new URLSearchParams();
      if (filter.traceId) params.set('trace_id', filter.traceId);
      if (filter.spanId) params.set('span_id', filter.spanId);
      if (filter.type) params.set('type', filter.type);
      if (filter.rule) params.set('rule', filter.rule);
      if (filter.reason) params.set('reason', filter.reason);
      if (filter.since !== undefined) params.set('since', String(filter.since));
      if (filter.until !== undefined) params.set('until', String(filter.until));
      if (filter.limit) params.set('limit', String(Math.min(filter.limit, 1_000)));
      const body = (await (await call(`/debug/vigil/captures?${params}`)).json()) as { captures: CaptureMetadata[] };
      // One process answers for itself: its service, host and pid are filtered here.
      return body.captures.filter(
        (c) =>
          (filter.service === undefined || c.service === filter.service) &&
          (filter.host === undefined || c.host === filter.host) &&
          (filter.pid === undefined || c.pid === filter.pid),
      );
    },
    async fetch(id, traceId) {
      const query = traceId ? `?trace_id=${encodeURIComponent(traceId)}` : '';
      const wait = waiting(`fetching ${id}`);
      try {
        return Buffer.from(await (await call(`/debug/vigil/captures/${encodeURIComponent(id)}${query}`)).arrayBuffer());
      } finally {
        wait.done();
      }
    },
    async metadata(id) {
      // A process without the route (an older Vigil) answers 404: no metadata, not an error.
      return (await call(`/debug/vigil/captures/${encodeURIComponent(id)}/metadata`)
        .then((r) => r.json())
        .catch(() => undefined)) as CaptureMetadata | undefined;
    },
  };
}

export function storeSource(url: string): CaptureSource {
  // A reader: no upkeep (retention is the writers' job). S3 settings come from the standard AWS chain.
  const store = openStore(url, {}, '--store', {
    maintenance: false,
    forcePathStyle: process.env.VIGIL_S3_FORCE_PATH_STYLE === 'true',
  });
  return {
    name: store.location,
    list: (filter) => store.list(filter),
    metadata: (id) => store.metadata(id),
    async fetch(id, traceId) {
      const wait = waiting(`reading ${id}`);
      const stored = await store
        .get(id)
        .catch((error: unknown) => {
          throw error instanceof VigilError
            ? new CliError(`${error.message} (vigil doctor --store ${url} lists such files)`)
            : error;
        })
        .finally(() => wait.done());
      if (stored === undefined) throw new CliError(`no capture ${id} in ${store.location}`);
      if (traceId === undefined) return stored.data;
      const { decodeProfile, filterByLabel } = await import('@vigil/pprof');
      const filtered = filterByLabel(await decodeProfile(stored.data), 'trace_id', traceId);
      if (filtered.sample.length === 0) throw new CliError(`capture ${id} has no samples of trace ${traceId}`);
      return Buffer.from(filtered.encode());
    },
  };
}
