import { hostname } from 'node:os';
import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ResolvedConfig } from './types.ts';

/**
 * The resource on every signal: Vigil's defaults, then `OTEL_RESOURCE_ATTRIBUTES` (the spec's env detector), then the
 * resolved service name (`options.serviceName` > `OTEL_SERVICE_NAME` > `service.name` in the attributes > package name).
 * Metrics and traces share it, whichever SDK carries them.
 */
export function vigilResource(config: Readonly<ResolvedConfig>): Resource {
  return resourceFromAttributes({
    'host.name': hostname(),
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
  })
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': config.serviceName }));
}
