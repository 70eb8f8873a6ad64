import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Profile } from 'pprof-format';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** gzipped pprof protobuf, what `go tool pprof` reads. */
export async function encodeProfile(profile: Profile): Promise<Buffer> {
  return gzipAsync(profile.encode());
}

/** Reads a pprof file, gzipped or not. */
export async function decodeProfile(bytes: Uint8Array): Promise<Profile> {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzipAsync(bytes) : bytes;
  return Profile.decode(raw);
}
