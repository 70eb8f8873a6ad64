import type { Meter } from '@opentelemetry/api';
import type { ProcessNames } from '../semconv.ts';

/** `nodejs_version_info{version,major,minor,patch} 1`, as prom-client exposes it. */
export function collectVersionInfo(meter: Meter, names: ProcessNames): void {
  if (names.versionInfo === undefined) return;
  const [major, minor, patch] = process.versions.node.split('.');
  const attributes = { version: process.version, major: major!, minor: minor!, patch: patch! };
  meter
    .createObservableGauge(names.versionInfo, { description: 'Node.js version info.' })
    .addCallback((result) => result.observe(1, attributes));
}
