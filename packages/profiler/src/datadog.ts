import type { SourceMapper } from '@datadog/pprof';

// The two profilers of `@datadog/pprof`, from their own modules. Its index also loads what a start does not need: its
// source-map support (the `source-map` library), its pprof encoder and its OpenTelemetry thread-context writer.
// Measured right after loading, on Node 24: the index adds 9.0 MiB of RSS and grows V8's young generation to 4 MiB,
// these two modules 5.3 MiB (most of it the addon) and 1 MiB. In a whole start of the defaults it is about 0.5 MiB.
export * as time from '@datadog/pprof/out/src/time-profiler.js';
export * as heap from '@datadog/pprof/out/src/heap-profiler.js';

/** Source maps for the profiles (`sourceMaps` set): the source-map library loads only then. */
export async function createSourceMapper(dirs: string[]): Promise<SourceMapper> {
  const { SourceMapper } = await import('@datadog/pprof/out/src/sourcemapper/sourcemapper.js');
  return SourceMapper.create(dirs);
}
