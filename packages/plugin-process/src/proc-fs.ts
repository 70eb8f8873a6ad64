import { readdirSync, readFileSync } from 'node:fs';

/** Open file descriptors, from /proc; undefined where /proc is not there (macOS, Windows). */
export function openFileDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // minus the descriptor readdir itself holds open
  } catch {
    return undefined;
  }
}

/** The soft limit on open files, from /proc/self/limits. */
export function maxFileDescriptors(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** Virtual memory size and heap (data segment) size, from /proc/self/status, in bytes. */
export function memoryStatus(): { virtual: number; heap: number } | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const virtual = kib('VmSize');
    const heap = kib('VmData');
    return Number.isFinite(virtual) && Number.isFinite(heap) ? { virtual, heap } : undefined;
  } catch {
    return undefined;
  }
}
