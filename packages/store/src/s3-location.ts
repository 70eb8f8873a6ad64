import { invalidValue } from '@vigil/core';

export interface S3Location {
  bucket: string;
  /** '' or a folder ending in '/': the store's root inside the bucket. */
  prefix: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/;

/** `s3://BUCKET/PREFIX` → its parts; a bad URL fails at start, naming the field. */
export function parseS3Url(url: string, field: string): S3Location {
  const expected =
    's3://BUCKET/PREFIX (a bucket name of 3-63 lowercase letters, digits, dots and dashes; an optional prefix of folder names)';
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const segments = (slash === -1 ? '' : rest.slice(slash + 1)).split('/').filter((s) => s !== '');
  if (!BUCKET.test(bucket) || segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..'))
    throw invalidValue(field, url, expected);
  return { bucket, prefix: segments.length === 0 ? '' : `${segments.join('/')}/` };
}
