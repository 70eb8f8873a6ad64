// The shapes shared by the runner's parts: a variant, one run's figures, a variant's summary, a judged target.

export interface Variant {
  name: string;
  label: string;
  /** What `--import` preloads: a bare specifier resolved from bench/ (the children's cwd) or an absolute file. */
  preload?: string;
  /** Vigil variants: load Vigil from its TypeScript sources (`--conditions=source`) instead of the build in dist/. */
  source?: boolean;
  /** Environment for the variant, given its metrics port and a spare free port; undefined when it serves no /metrics. */
  metricsEnv?: (port: number, spare: number) => Record<string, string>;
  /**
   * Vigil's debug server listens on the spare port (VIGIL_DEBUG_ADDR): the runner waits for it, and after the load reads
   * the flight recorder's size from its index page.
   */
  debug?: boolean;
  /** Environment for a variant that serves no /metrics (given the URL of the runner's pyroscope sink). */
  env?: (sinkUrl: string) => Record<string, string>;
  /** Pushes profiles to the runner's sink, which counts what it receives. */
  pushes?: boolean;
  /** Headers wrk sends on every request of this variant (warm-up and load). */
  headers?: Record<string, string>;
}

export interface Scrapes {
  count: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  bytes: number;
  samples: number;
  /** Server CPU per scrape from schedstat, in milliseconds. */
  cpuMs: number;
}

export interface Run {
  round: number;
  position: number;
  variant: string;
  startupMs: number;
  requests: number;
  wrkSeconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
  cpuTicks: number;
  /** Cores' worth of CPU that other processes used during the load, and that the hypervisor stole. */
  foreignCores: number;
  stealCores: number;
  /** The figure to judge on: server utime + stime per request, in microseconds. */
  cpuUsPerRequest: number;
  /** Cross-check from schedstat (ns precision). */
  schedUsPerRequest: number;
  /** The same by kind of thread (`main`, `V8Worker`, `v8:ProfEvntProc`, ...: see `threadNanos`). */
  threadUsPerRequest?: Record<string, number>;
  rssAfterLoadKiB: number;
  /**
   * VmRSS averaged over the measured load, read every second, and the largest of those reads. Under load V8's heap is
   * a sawtooth (the young generation grows, a major GC shrinks it), so the value after the load is one point on it;
   * the mean is the level the process holds.
   */
  rssMeanKiB: number;
  rssPeakKiB: number;
  rssEndKiB: number;
  hwmKiB: number;
  scrapes?: Scrapes;
  /** The flight recorder after the load, from the debug server's index page (variants with `debug`). */
  recorder?: { continuous: boolean; windows: number; kib: number };
  /** What the pyroscope variant pushed to the sink during the whole run (warm-up included). */
  pushes?: { requests: number; bytes: number };
}

/** Median and spread of a set of values (ratios, differences). */
export interface Spread {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
  n: number;
}

export interface VariantSummary {
  variant: string;
  label: string;
  runs: number;
  absolute: {
    cpuUsPerRequest: number;
    schedUsPerRequest: number;
    reqPerSec: number;
    p99Ms: number;
    rssMiB: number;
    rssEndMiB: number;
    startupMs: number;
  };
  /** Ratios to the baseline run of the same round (absent for the baseline). */
  ratios?: { cpuPerRequest: Spread; schedPerRequest: Spread; reqPerSec: Spread; p99: Spread };
  /** RSS after the load minus the baseline's in the same round, MiB. */
  rssOverBaselineMiB?: Spread;
  /** The same for the RSS averaged over the load, and for its peak during the load. */
  rssMeanOverBaselineMiB?: Spread;
  rssPeakOverBaselineMiB?: Spread;
  /** CPU per request by kind of thread minus the baseline's in the same round, µs. */
  threadsOverBaselineUs?: Record<string, Spread>;
  scrape?: { medianMs: Spread; bytes: number; samples: number; cpuMs: Spread };
  /** The flight recorder after the load (continuous profiling on). */
  recorder?: { windows: Spread; kib: Spread };
  /** What the pyroscope variant pushed per run. */
  pushes?: { requests: Spread; kib: Spread };
}

export interface Target {
  target: string;
  verdict: 'PASS' | 'MISS' | 'n/a' | 'info';
  detail: string;
}
