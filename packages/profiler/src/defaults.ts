/**
 * The profiler's defaults, declared once: `profiler()` falls back to them, and the sdk's configuration spec takes its
 * own defaults from them (VIGIL_FLIGHT_RECORDER is `recorderMillis`, VIGIL_FLIGHT_RECORDER_MAX_BYTES `recorderMaxBytes`).
 */
export const PROFILER_DEFAULTS = Object.freeze({
  continuous: true,
  /** 100 Hz, as Go's pprof. */
  intervalMicros: 10_000,
  windowMillis: 5_000,
  recorderMillis: 60_000,
  /** The flight recorder's memory budget; also what a continuous upload holds between periods. */
  recorderMaxBytes: 16 * 1024 * 1024,
  heapIntervalBytes: 512 * 1024,
  heapSnapshots: false,
  serviceName: 'unknown_service:node',
});
