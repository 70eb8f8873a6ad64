import type { MetricNames } from '@vigil/core';

export interface HandleNames {
  resources: string;
  resourcesTotal: string;
  handles: string;
  handlesTotal: string;
  requests: string;
  requestsTotal: string;
  typeAttribute: string;
}

const OTEL: HandleNames = {
  resources: 'nodejs.active_resources',
  resourcesTotal: 'nodejs.active_resources.all',
  handles: 'nodejs.active_handles',
  handlesTotal: 'nodejs.active_handles.all',
  requests: 'nodejs.active_requests',
  requestsTotal: 'nodejs.active_requests.all',
  typeAttribute: 'nodejs.resource.type',
};

const PROM_CLIENT: HandleNames = {
  resources: 'nodejs_active_resources',
  resourcesTotal: 'nodejs_active_resources_total',
  handles: 'nodejs_active_handles',
  handlesTotal: 'nodejs_active_handles_total',
  requests: 'nodejs_active_requests',
  requestsTotal: 'nodejs_active_requests_total',
  typeAttribute: 'type',
};

export function handleNames(names: MetricNames): HandleNames {
  return names === 'prom-client' ? PROM_CLIENT : OTEL;
}
