import { open, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { TEMP_PREFIX, writeAtomic } from './atomic-write.ts';
import type { BlobEntry, Blobs } from './internal-types.ts';

/** Temp files older than this belong to a writer that died mid-write. */
const TEMP_GRACE_MILLIS = 3_600_000;

/** Keys as files under a directory. Keys come from the store's own layout (validated ids), never from a request. */
export class FsBlobs implements Blobs {
  readonly location: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.location = `file://${root}`;
  }

  #path(key: string): string {
    return join(this.#root, ...key.split('/'));
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    await writeAtomic(this.#path(key), data);
  }

  putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    return writeAtomic(this.#path(key), data, true);
  }

  get(key: string): Promise<Buffer | undefined> {
    return readFile(this.#path(key)).catch(missing);
  }

  async getRange(key: string, start: number, end: number): Promise<Buffer | undefined> {
    const handle = await open(this.#path(key), 'r').catch(missing);
    if (handle === undefined) return undefined;
    try {
      const buffer = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async size(key: string): Promise<number | undefined> {
    return (await stat(this.#path(key)).catch(missing))?.size;
  }

  async list(prefix: string): Promise<BlobEntry[]> {
    const out: BlobEntry[] = [];
    await this.#walk(this.#path(prefix), out);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async #walk(dir: string, out: BlobEntry[]): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return this.#walk(path, out);
        if (!entry.isFile()) return;
        const info = await stat(path).catch(missing);
        if (info === undefined) return;
        if (entry.name.startsWith(TEMP_PREFIX)) {
          if (Date.now() - info.mtimeMs > TEMP_GRACE_MILLIS) await rm(path, { force: true }).catch(() => undefined);
          return;
        }
        out.push({
          key: relative(this.#root, path).split(sep).join('/'),
          size: info.size,
          modifiedMillis: info.mtimeMs,
        });
      }),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    const parents = new Set<string>();
    await Promise.all(
      keys.map(async (key) => {
        await rm(this.#path(key), { force: true });
        parents.add(dirname(this.#path(key)));
      }),
    );
    for (const dir of [...parents].sort().reverse()) await this.#pruneEmpty(dir);
  }

  async deletePrefix(prefix: string): Promise<void> {
    const path = this.#path(prefix);
    await rm(path, { recursive: true, force: true });
    await this.#pruneEmpty(dirname(path));
  }

  /** Removes a folder the deletes left empty, and its parents up to the root: empty day folders pile up otherwise. */
  async #pruneEmpty(dir: string): Promise<void> {
    for (let d = dir; d.length > this.#root.length && d.startsWith(this.#root); d = dirname(d)) {
      try {
        await rmdir(d);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return; // not empty: nor are its parents
      }
    }
  }
}

function missing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
    return undefined;
  throw error;
}
