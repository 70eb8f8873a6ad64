import type { Meter, ObservableGauge, BatchObservableResult } from '@opentelemetry/api';
import type { Guard } from '@vigil/core';
import { countResources } from '../resource-kind.ts';
import type { HandleNames } from '../semconv.ts';

/** Active libuv resources by type, split into handles and requests, read once per collection. */
export function collectActiveResources(meter: Meter, names: HandleNames, guard: Guard): void {
  const gauge = (name: string, description: string) =>
    meter.createObservableGauge(name, { unit: '{resource}', description });
  const resources = gauge(names.resources, 'Active resources keeping the event loop alive, by type.');
  const resourcesTotal = gauge(names.resourcesTotal, 'Active resources keeping the event loop alive.');
  const handles = gauge(names.handles, 'Active libuv handles (sockets, servers, timers...), by type.');
  const handlesTotal = gauge(names.handlesTotal, 'Active libuv handles.');
  const requests = gauge(names.requests, 'Active libuv requests (writes, lookups, file operations...), by type.');
  const requestsTotal = gauge(names.requestsTotal, 'Active libuv requests.');

  const observeByType = (result: BatchObservableResult, metric: ObservableGauge, counts: Map<string, number>) => {
    for (const [type, count] of counts) result.observe(metric, count, { [names.typeAttribute]: type });
  };

  meter.addBatchObservableCallback(
    guard((result) => {
      const counts = countResources(process.getActiveResourcesInfo());
      observeByType(result, resources, counts.byType);
      observeByType(result, handles, counts.handles);
      observeByType(result, requests, counts.requests);
      result.observe(resourcesTotal, counts.total);
      result.observe(handlesTotal, counts.handlesTotal);
      result.observe(requestsTotal, counts.requestsTotal);
    }, 'active resources collection'),
    [resources, resourcesTotal, handles, handlesTotal, requests, requestsTotal],
  );
}
