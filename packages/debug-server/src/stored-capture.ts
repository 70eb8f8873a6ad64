import type { ServerResponse } from 'node:http';
import { ErrorCodes, VigilError } from '@vigil/core';
import { decodeProfile, type Profile } from '@vigil/pprof';
import type { CaptureRecorder } from '@vigil/profiler';
import type { CaptureMetadata } from '@vigil/store';
import { sendError } from './responses.ts';

/**
 * A stored capture by id, or undefined once the request is answered: 404 when there is none, 410 when the store
 * holds it corrupt (its data does not match its metadata: `vigil doctor` lists such files). Never a 500 for bad files.
 */
export async function storedCapture(
  res: ServerResponse,
  captures: CaptureRecorder,
  id: string,
): Promise<{ metadata: CaptureMetadata; data: Buffer } | undefined> {
  try {
    const stored = await captures.store.get(id);
    if (stored === undefined) sendError(res, 404, `no capture ${id.slice(0, 64)} in ${captures.store.location}`);
    return stored;
  } catch (error) {
    if (error instanceof VigilError && error.code === ErrorCodes.STORE_CORRUPT)
      return void sendError(res, 410, `${error.message}; vigil doctor --store URL lists such files`);
    throw error;
  }
}

/** The capture's profile, or undefined once a 410 is answered: data of the right size that is not pprof is corrupt too. */
export async function storedProfile(res: ServerResponse, id: string, data: Uint8Array): Promise<Profile | undefined> {
  try {
    return await decodeProfile(data);
  } catch (error) {
    return void sendError(
      res,
      410,
      `capture ${id.slice(0, 64)} is corrupt: its data is not a pprof profile (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
