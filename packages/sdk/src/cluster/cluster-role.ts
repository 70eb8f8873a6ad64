import cluster from 'node:cluster';

/**
 * Set in the primary by a running Vigil, before the app forks (cluster.fork() copies process.env): a worker whose
 * parent's pid it names knows that its primary serves the cluster's metrics.
 */
export const PRIMARY_PID_ENV = 'VIGIL_CLUSTER_PRIMARY_PID';

/**
 * How this process takes part in a cluster:
 * - `process`: not a cluster worker. It serves as configured and, as a primary, also the metrics of workers that join.
 * - `worker`: a node:cluster worker whose primary runs Vigil. Its servers take free loopback ports, announced to the
 *   primary, which serves every worker's metrics on its one endpoint.
 * - `instance`: one of several instances with no Vigil primary (PM2 cluster mode: PM2's daemon is the primary; or a
 *   primary that does not run Vigil): the configured ports plus the instance number.
 */
export type ClusterRole =
  | { kind: 'process' }
  | { kind: 'worker'; workerId: number }
  | { kind: 'instance'; offset: number; source: 'NODE_APP_INSTANCE' | 'cluster.worker.id' };

export interface ClusterFacts {
  env: Readonly<Record<string, string | undefined>>;
  isWorker: boolean;
  workerId: number | undefined;
  ppid: number;
}

export function clusterRole(facts: ClusterFacts = currentFacts()): ClusterRole {
  const { env, isWorker, workerId, ppid } = facts;
  if (isWorker && workerId !== undefined && env[PRIMARY_PID_ENV] === String(ppid)) return { kind: 'worker', workerId };
  // PM2 numbers its instances 0..N-1, stable across restarts (its `instance_var` option can rename the variable).
  const instance = env.NODE_APP_INSTANCE;
  if (instance !== undefined && /^\d{1,4}$/.test(instance))
    return { kind: 'instance', offset: Number(instance), source: 'NODE_APP_INSTANCE' };
  if (isWorker && workerId !== undefined)
    return { kind: 'instance', offset: workerId - 1, source: 'cluster.worker.id' };
  return { kind: 'process' };
}

function currentFacts(): ClusterFacts {
  return { env: process.env, isWorker: cluster.isWorker, workerId: cluster.worker?.id, ppid: process.ppid };
}
