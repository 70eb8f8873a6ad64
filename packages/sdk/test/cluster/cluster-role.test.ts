import { describe, expect, it } from 'vitest';
import { PRIMARY_PID_ENV, clusterRole, type ClusterFacts, type ClusterRole } from '../../src/cluster/cluster-role.ts';

const facts = (over: Partial<ClusterFacts>): ClusterFacts => ({
  env: {},
  isWorker: false,
  workerId: undefined,
  ppid: 1000,
  ...over,
});

describe('clusterRole', () => {
  it.each<[string, Partial<ClusterFacts>, ClusterRole]>([
    ['a plain process', {}, { kind: 'process' }],
    [
      'a node:cluster worker of a Vigil primary',
      { isWorker: true, workerId: 3, env: { [PRIMARY_PID_ENV]: '1000' } },
      { kind: 'worker', workerId: 3 },
    ],
    [
      'a worker whose primary does not run Vigil',
      { isWorker: true, workerId: 3 },
      { kind: 'instance', offset: 2, source: 'cluster.worker.id' },
    ],
    // Inherited from a grandparent Vigil: the variable names another process, not this worker's primary.
    [
      'a worker with the variable of another primary',
      { isWorker: true, workerId: 1, env: { [PRIMARY_PID_ENV]: '999' } },
      { kind: 'instance', offset: 0, source: 'cluster.worker.id' },
    ],
    [
      'a PM2 cluster-mode instance',
      { isWorker: true, workerId: 7, env: { NODE_APP_INSTANCE: '2', pm_id: '5' } },
      { kind: 'instance', offset: 2, source: 'NODE_APP_INSTANCE' },
    ],
    [
      'a PM2 fork-mode instance',
      { env: { NODE_APP_INSTANCE: '1' } },
      { kind: 'instance', offset: 1, source: 'NODE_APP_INSTANCE' },
    ],
    [
      'a process that is not a worker, with the variable set',
      { env: { [PRIMARY_PID_ENV]: '1000' } },
      { kind: 'process' },
    ],
    ['a NODE_APP_INSTANCE that is not a number', { env: { NODE_APP_INSTANCE: 'blue' } }, { kind: 'process' }],
  ])('%s', (_name, over, expected) => {
    expect(clusterRole(facts(over))).toEqual(expected);
  });
});
