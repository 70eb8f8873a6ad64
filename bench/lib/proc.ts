// The server's and the machine's CPU and memory, from /proc (Linux).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime of all the process's threads, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return Number(fields[11]) + Number(fields[12]);
}

/** Time on CPU of all the process's threads in nanoseconds (first field of each thread's schedstat): finer than ticks. */
export function cpuNanos(pid: number): number {
  let total = 0;
  for (const nanos of threadNanos(pid).values()) total += nanos;
  return total;
}

/**
 * Time on CPU in nanoseconds by kind of thread: `main` (the JavaScript thread), then each other thread by its name
 * with digits dropped (`V8Worker` for V8's GC and compiler helpers, `v8:ProfEvntProc` for the CPU profiler's sampler,
 * `libuv-worker` for the thread pool), summed over the threads of that name.
 */
export function threadNanos(pid: number): Map<string, number> {
  const byKind = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const nanos = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const kind =
        tid === String(pid) ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
      byKind.set(kind, (byKind.get(kind) ?? 0) + nanos);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return byKind;
}

/** Busy (user + nice + system) and stolen ticks of the whole machine, from the first line of /proc/stat. */
export function machineTicks(): { busy: number; steal: number } {
  const [user, nice, system, , , , , steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: user! + nice! + system!, steal: steal ?? 0 };
}

/** This runner's own ticks, and those of its reaped children (cutime + cstime: wrk once it has exited). */
export function runnerTicks(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { self: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
}

/** VmRSS and VmHWM in KiB. */
export function memory(pid: number): { rssKiB: number; hwmKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}
