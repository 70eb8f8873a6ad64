import { waitFor } from './metrics.ts';
import { REPO_ROOT, freePort, spawnNode, type Spawned } from './process.ts';

export interface Leftpad {
  app: Spawned;
  appUrl: string;
  debugUrl: string;
}

/**
 * examples/leftpad under Vigil with no code change (`--import @vigil/sdk/register`), on free ports, metrics on an
 * ephemeral loopback port; resolves once the service and its debug server answer. `env` adds or overrides settings.
 */
export async function startLeftpad(env: Record<string, string | undefined> = {}): Promise<Leftpad> {
  const [appPort, debugPort] = [await freePort(), await freePort()];
  const app = spawnNode(['--import', '@vigil/sdk/register', 'src/server.ts'], {
    cwd: `${REPO_ROOT}examples/leftpad`,
    env: {
      PORT: String(appPort),
      VIGIL_DEBUG_ADDR: `127.0.0.1:${debugPort}`,
      VIGIL_METRICS_PORT: '0',
      VIGIL_METRICS_HOST: '127.0.0.1',
      ...env,
    },
  });
  const debugUrl = `http://127.0.0.1:${debugPort}`;
  await app.waitForOutput(/leftpad listening/);
  await waitFor(async () => (await fetch(`${debugUrl}/debug/pprof/`)).ok, 'the debug server');
  return { app, appUrl: `http://127.0.0.1:${appPort}`, debugUrl };
}
