import { Agent, request } from 'node:http';

/** A small closed-loop load generator (no wrk needed): `concurrency` keep-alive clients for `durationMillis`. */
export async function driveLoad(
  baseUrl: string,
  paths: readonly string[],
  options: { durationMillis: number; concurrency: number; onResponse?: (ok: boolean) => void },
): Promise<{ requests: number; errors: number; perSecond: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const deadline = Date.now() + options.durationMillis;
  let requests = 0;
  let errors = 0;
  const client = async (offset: number) => {
    for (let i = offset; Date.now() < deadline; i++) {
      const ok = await get(`${baseUrl}${paths[i % paths.length]}`, agent);
      if (ok) requests++;
      else errors++;
      options.onResponse?.(ok); // lets a caller wait until the load is under way, rather than sleep
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => client(i)));
  agent.destroy();
  return { requests, errors, perSecond: requests / ((Date.now() - started) / 1e3) };
}

/** A request that gets no answer within this long counts as an error, so a closed loop can never hang on one. */
const REQUEST_TIMEOUT_MILLIS = 10_000;

function get(url: string, agent: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.setTimeout(REQUEST_TIMEOUT_MILLIS, () => req.destroy(new Error('no answer in time')));
    req.on('error', () => resolve(false));
    req.end();
  });
}
