/**
 * Bench probe, preloaded with `--import` before any variant by bench/memory.ts: on SIGUSR2 it appends one JSON line
 * of the process's memory (memoryUsage, V8 heap statistics, each heap space, code statistics) to BENCH_HEAP_PROBE;
 * on SIGTTIN it writes a heap snapshot next to it; the first SIGTTOU starts V8's sampling heap profiler and the second
 * writes what it holds (`.heapprofile`: the sampled allocations still alive, by stack; promoted garbage did not show
 * in it here). Signals, so that nothing runs between two samples.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { getHeapCodeStatistics, getHeapSpaceStatistics, getHeapStatistics, writeHeapSnapshot } from 'node:v8';

const file = process.env.BENCH_HEAP_PROBE;
if (file) {
  process.on('SIGUSR2', () => {
    const spaces: Record<string, { size: number; used: number; physical: number }> = {};
    for (const s of getHeapSpaceStatistics())
      spaces[s.space_name] = { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size };
    const line = { t: performance.now(), memory: process.memoryUsage(), heap: getHeapStatistics(), spaces };
    appendFileSync(file, `${JSON.stringify({ ...line, code: getHeapCodeStatistics() })}\n`);
  });
  let snapshots = 0;
  process.on('SIGTTIN', () => {
    writeHeapSnapshot(`${file}.${++snapshots}.heapsnapshot`);
    appendFileSync(file, `${JSON.stringify({ snapshot: snapshots })}\n`);
  });
  let session: Session | undefined;
  let profiles = 0;
  process.on('SIGTTOU', () => {
    if (session === undefined) {
      session = new Session();
      session.connect();
      session.post('HeapProfiler.startSampling', { samplingInterval: 16_384 });
      return;
    }
    session.post('HeapProfiler.getSamplingProfile', (error, result) => {
      if (!error) writeFileSync(`${file}.${++profiles}.heapprofile`, JSON.stringify(result.profile));
      appendFileSync(file, `${JSON.stringify({ heapprofile: profiles })}\n`);
    });
  });
}
