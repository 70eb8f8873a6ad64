import { mkdir, rm, stat } from 'node:fs/promises';

/**
 * A cross-process lock on a directory (`mkdir` is atomic), for work that several processes sharing one store must not
 * do at once (retention, index rebuild). A lock older than `staleMillis` is taken over: its holder died.
 */
export async function withDirLock<T>(path: string, staleMillis: number, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age < staleMillis) return undefined;
    await rm(path, { recursive: true, force: true });
    try {
      await mkdir(path);
    } catch {
      return undefined;
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}
