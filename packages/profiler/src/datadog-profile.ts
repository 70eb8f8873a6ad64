import type { Profile } from '@vigil/pprof';

/**
 * `@datadog/pprof` is CommonJS and builds its profiles with the CommonJS copy of pprof-format, while this package
 * imports the ESM copy: the same shape, two classes. Everything here reads fields and calls `encode()`, so one type
 * serves both.
 */
export function fromDatadog(profile: unknown): Profile {
  return profile as Profile;
}
