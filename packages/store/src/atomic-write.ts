import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const TEMP_PREFIX = '.tmp-';

/**
 * Writes a file so that readers see either nothing or the whole file: temp file, fsync, then rename (or link, which
 * refuses to replace an existing file). Another process may remove the folder it just emptied between our mkdir and
 * our open: that is retried.
 */
export async function writeAtomic(path: string, data: Uint8Array | string, exclusive = false): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await writeOnce(path, data, exclusive);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

async function writeOnce(path: string, data: Uint8Array | string, exclusive: boolean): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (!exclusive) {
      await rename(temp, path);
      return true;
    }
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } finally {
    if (exclusive) await rm(temp, { force: true });
    else await rm(temp, { force: true }).catch(() => undefined);
  }
}
