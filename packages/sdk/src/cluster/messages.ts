/**
 * Vigil's messages over the cluster IPC channel. Every one carries MESSAGE_KEY: Vigil reads only those and never
 * consumes, changes or answers the app's own messages (an app's `message` listener does see Vigil's, once per worker
 * start and stop, and can tell them by that key).
 */
export const MESSAGE_KEY = 'vigil.cluster';

/** A worker's Vigil is up: where the primary reads its metrics, and where its debug server listens. */
export interface MemberMessage {
  [MESSAGE_KEY]: 1;
  kind: 'member';
  pid: number;
  metricsUrl: string;
  debugUrl?: string;
}

/** A worker's Vigil shut down while the worker keeps running. */
export interface LeaveMessage {
  [MESSAGE_KEY]: 1;
  kind: 'leave';
  pid: number;
}

export type ClusterMessage = MemberMessage | LeaveMessage;

export function isClusterMessage(message: unknown): message is ClusterMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  if (m[MESSAGE_KEY] !== 1 || typeof m.pid !== 'number') return false;
  if (m.kind === 'leave') return true;
  return (
    m.kind === 'member' &&
    isLoopbackHttpUrl(m.metricsUrl) &&
    (m.debugUrl === undefined || typeof m.debugUrl === 'string')
  );
}

/** The primary only ever fetches a worker's metrics from a loopback HTTP URL. */
function isLoopbackHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]');
  } catch {
    return false;
  }
}
