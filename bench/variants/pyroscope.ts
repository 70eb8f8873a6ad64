/**
 * Bench variant: Grafana's @pyroscope/nodejs 0.6.4 in push mode, the usual way to run continuous profiling in Node.
 * `Pyroscope.start()` runs its wall profiler (the same @datadog/pprof time profiler Vigil drives, here at 100 Hz, i.e.
 * 10 ms sampling like Vigil's) and its heap profiler (512 KiB sampling, like Vigil's), and every flush interval encodes
 * the profiles (gzipped pprof) and POSTs them to `${BENCH_PYROSCOPE_URL}/ingest`: in the bench, a sink in the runner
 * that reads and discards the body.
 *
 * The flush interval is BENCH_PYROSCOPE_FLUSH_MS (default 5000: Vigil's window rotation) instead of the library's
 * 60 s, so that a run of a few seconds pays for the rotation, encoding and upload as a long-running service would.
 * Everything else is the library's default (wall `collectCpuTime` off; Vigil turns it on). Preloaded with `--import`.
 */
import Pyroscope from '@pyroscope/nodejs';

Pyroscope.init({
  appName: 'leftpad',
  serverAddress: process.env.BENCH_PYROSCOPE_URL ?? 'http://127.0.0.1:4040',
  flushIntervalMs: Number(process.env.BENCH_PYROSCOPE_FLUSH_MS ?? 5_000),
  wall: { samplingIntervalMicros: 10_000 },
  heap: { samplingIntervalBytes: 512 * 1024 },
});
Pyroscope.start();
