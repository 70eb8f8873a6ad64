/**
 * libuv splits what keeps the loop alive into handles (long-lived: sockets, servers, timers) and requests (one
 * operation in flight: a write, a DNS lookup, a file read). `process.getActiveResourcesInfo()` gives only type names,
 * so the split is by name: request wrappers end in `Req`, `ReqWrap`, `ReqCallback`, `ReqPromise` or `Request`, plus
 * the stream operation wrappers below.
 */
const REQUEST_WRAPS = new Set(['WriteWrap', 'ShutdownWrap', 'ConnectWrap', 'SendWrap']);
const REQUEST_SUFFIX = /(?:Req|ReqWrap|ReqCallback|ReqPromise|Request)$/;

export function isRequest(type: string): boolean {
  return REQUEST_WRAPS.has(type) || REQUEST_SUFFIX.test(type);
}

export interface ResourceCounts {
  byType: Map<string, number>;
  total: number;
  handles: Map<string, number>;
  handlesTotal: number;
  requests: Map<string, number>;
  requestsTotal: number;
}

export function countResources(types: readonly string[]): ResourceCounts {
  const counts: ResourceCounts = {
    byType: new Map(),
    total: types.length,
    handles: new Map(),
    handlesTotal: 0,
    requests: new Map(),
    requestsTotal: 0,
  };
  for (const type of types) {
    counts.byType.set(type, (counts.byType.get(type) ?? 0) + 1);
    if (isRequest(type)) {
      counts.requests.set(type, (counts.requests.get(type) ?? 0) + 1);
      counts.requestsTotal++;
    } else {
      counts.handles.set(type, (counts.handles.get(type) ?? 0) + 1);
      counts.handlesTotal++;
    }
  }
  return counts;
}
