import cluster, { type Worker } from 'node:cluster';
import { isClusterMessage, type ClusterMessage } from './messages.ts';
import { PRIMARY_PID_ENV } from './cluster-role.ts';

/** A worker whose Vigil announced itself to the primary. */
export interface ClusterMember {
  workerId: number;
  pid: number;
  metricsUrl: string;
  debugUrl: string | undefined;
}

/**
 * The primary's list of workers running Vigil, kept from their announcements over the cluster IPC channel and
 * dropped when a worker exits or its Vigil leaves. Opened synchronously by start(), before the app can fork, so that
 * no announcement is missed; it only listens (two listeners on `cluster`) and never sends to a worker.
 */
export class ClusterHub {
  readonly #members = new Map<number, ClusterMember>();
  readonly #onMessage = (worker: Worker, message: unknown): void => this.#receive(worker, message);
  readonly #onExit = (worker: Worker): void => {
    this.#members.delete(worker.id);
  };
  #closed = false;

  constructor() {
    process.env[PRIMARY_PID_ENV] = String(process.pid);
    cluster.on('message', this.#onMessage);
    cluster.on('exit', this.#onExit);
  }

  /** In worker id order. */
  members(): ClusterMember[] {
    return [...this.#members.values()].sort((a, b) => a.workerId - b.workerId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    cluster.off('message', this.#onMessage);
    cluster.off('exit', this.#onExit);
    if (process.env[PRIMARY_PID_ENV] === String(process.pid)) delete process.env[PRIMARY_PID_ENV];
    this.#members.clear();
  }

  #receive(worker: Worker, message: unknown): void {
    if (!isClusterMessage(message)) return; // the app's own message: not ours to read
    const m: ClusterMessage = message;
    if (m.kind === 'leave') this.#members.delete(worker.id);
    else
      this.#members.set(worker.id, { workerId: worker.id, pid: m.pid, metricsUrl: m.metricsUrl, debugUrl: m.debugUrl });
  }
}

/** The hub, in a process that may fork workers (every process that is not itself a cluster worker). */
export function openClusterHub(): ClusterHub | undefined {
  return cluster.isPrimary ? new ClusterHub() : undefined;
}
