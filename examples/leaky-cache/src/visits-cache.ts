/**
 * A per-user cache of recent visits. The bug: `recentVisits` hands out the cached array itself rather than a copy, so
 * every caller that "adds to its copy" appends to the cache, which grows without bound.
 */
type Visit = { path: string; at: number; agentLength: number; breadcrumbs: number[] };
const cache = new Map<string, Visit[]>();

export function recentVisits(user: string): Visit[] {
  let visits = cache.get(user);
  if (visits === undefined) cache.set(user, (visits = []));
  return visits; // should be visits.slice(-20)
}

/** The request handler's helper: records this visit, with its breadcrumbs, in what it believes is its own list. */
export function recordVisit(user: string, path: string, agent: string): number {
  const visits = recentVisits(user);
  const breadcrumbs = new Array<number>(256);
  for (let i = 0; i < breadcrumbs.length; i++) breadcrumbs[i] = Date.now() + i / 2;
  visits.push({ path, at: Date.now(), agentLength: agent.length, breadcrumbs });
  return Math.min(visits.length, 20);
}
