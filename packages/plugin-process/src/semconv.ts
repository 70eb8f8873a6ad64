import type { MetricNames } from '@vigil/core';

export interface ProcessNames {
  /** One counter with a `mode` attribute (OpenTelemetry), or one counter per mode plus their sum (prom-client). */
  cpu:
    | { kind: 'by-mode'; name: string; attribute: string }
    | { kind: 'split'; user: string; system: string; total: string };
  rss: string;
  virtual: string;
  heapBytes: string | undefined;
  openFds: string;
  maxFds: string;
  /** Start time (prom-client, seconds since the epoch) or uptime (OpenTelemetry, seconds). */
  start: { kind: 'start-time' | 'uptime'; name: string };
  versionInfo: string | undefined;
}

const OTEL: ProcessNames = {
  cpu: { kind: 'by-mode', name: 'process.cpu.time', attribute: 'cpu.mode' },
  rss: 'process.memory.usage',
  virtual: 'process.memory.virtual',
  heapBytes: undefined,
  openFds: 'process.unix.file_descriptors',
  maxFds: 'process.unix.file_descriptor.limit',
  start: { kind: 'uptime', name: 'process.uptime' },
  versionInfo: undefined,
};

const PROM_CLIENT: ProcessNames = {
  cpu: {
    kind: 'split',
    user: 'process_cpu_user_seconds',
    system: 'process_cpu_system_seconds',
    total: 'process_cpu_seconds',
  },
  rss: 'process_resident_memory_bytes',
  virtual: 'process_virtual_memory_bytes',
  heapBytes: 'process_heap_bytes',
  openFds: 'process_open_fds',
  maxFds: 'process_max_fds',
  start: { kind: 'start-time', name: 'process_start_time_seconds' },
  versionInfo: 'nodejs_version_info',
};

export function processNames(names: MetricNames): ProcessNames {
  return names === 'prom-client' ? PROM_CLIENT : OTEL;
}
