import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { ErrorCodes, VigilError } from '@vigil/core';
import type { BlobEntry, Blobs } from './internal-types.ts';
import { mapLimit } from './map-limit.ts';
import { withRetry, type RetryPolicy } from './retry.ts';
import type { S3Location } from './s3-location.ts';
import type { S3Options, StoreCounters } from './types.ts';

type S3Module = typeof S3Sdk;

const PARALLEL_DELETES = 16;

/**
 * Keys as S3 objects under `s3://BUCKET/PREFIX/`, through `@aws-sdk/client-s3` and the standard AWS configuration
 * chain (AWS_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, credentials from the environment or a profile). The SDK
 * is loaded on first use: a process that never stores a capture never loads it. Each PUT is atomic on S3; failing
 * calls are retried with backoff until a deadline, and uploads in flight are bounded in bytes.
 */
export class S3Blobs implements Blobs {
  readonly location: string;
  readonly #where: S3Location;
  readonly #options: S3Options;
  readonly #upload: RetryPolicy;
  readonly #read: RetryPolicy;
  readonly #maxPendingBytes: number;
  #pendingBytes = 0;
  #client: Promise<{ s3: S3Client; sdk: S3Module }> | undefined;
  readonly #stats: Pick<StoreCounters, 'uploadRetries' | 'uploadFailures'> = { uploadRetries: 0, uploadFailures: 0 };

  constructor(where: S3Location, options: S3Options = {}) {
    this.#where = where;
    this.#options = options;
    this.location = `s3://${where.bucket}/${where.prefix}`;
    this.#upload = {
      deadlineMillis: options.uploadDeadlineMillis ?? 60_000,
      firstDelayMillis: 250,
      maxDelayMillis: 8_000,
    };
    this.#read = { deadlineMillis: options.readDeadlineMillis ?? 15_000, firstDelayMillis: 100, maxDelayMillis: 2_000 };
    this.#maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
  }

  counters(): Pick<StoreCounters, 'uploadRetries' | 'uploadFailures'> {
    return { ...this.#stats };
  }

  #connect(): Promise<{ s3: S3Client; sdk: S3Module }> {
    this.#client ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      s3: new sdk.S3Client({
        forcePathStyle: this.#options.forcePathStyle ?? false,
        // Only the checksums S3 requires: MinIO, Ceph and s3rver store a streamed upload's chunk framing otherwise.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        // Retries are ours (withRetry): bounded by a deadline, counted.
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
      }),
    }));
    return this.#client;
  }

  #key(key: string): string {
    return `${this.#where.prefix}${key}`;
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    await this.#write(key, data, false);
  }

  async putIfAbsent(key: string, data: Uint8Array | string): Promise<boolean> {
    return this.#write(key, data, true);
  }

  async #write(key: string, data: Uint8Array | string, ifAbsent: boolean): Promise<boolean> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    if (this.#pendingBytes + body.byteLength > this.#maxPendingBytes) {
      this.#stats.uploadFailures++;
      throw new VigilError(
        ErrorCodes.STORE_WRITE,
        `${this.location}: ${this.#pendingBytes} bytes of uploads are in flight (limit ${this.#maxPendingBytes}); ${key} is not stored`,
      );
    }
    this.#pendingBytes += body.byteLength;
    try {
      const { s3, sdk } = await this.#connect();
      await withRetry(
        this.#upload,
        (abortSignal) =>
          s3.send(
            new sdk.PutObjectCommand({
              Bucket: this.#where.bucket,
              Key: this.#key(key),
              Body: body,
              ContentLength: body.byteLength,
              ContentType: key.endsWith('.json') ? 'application/json' : 'application/octet-stream',
              // Where the server has conditional writes (AWS, MinIO), an id that is taken is never overwritten.
              ...(ifAbsent ? { IfNoneMatch: '*' } : {}),
            }),
            { abortSignal },
          ),
        () => this.#stats.uploadRetries++,
      );
      return true;
    } catch (error) {
      if (ifAbsent && statusOf(error) === 412) return false;
      this.#stats.uploadFailures++;
      throw new VigilError(ErrorCodes.STORE_WRITE, `${this.location}: uploading ${key} failed: ${describe(error)}`, {
        cause: error,
      });
    } finally {
      this.#pendingBytes -= body.byteLength;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.#getObject(key, undefined);
  }

  async getRange(key: string, start: number, end: number): Promise<Buffer | undefined> {
    if (end <= start) return Buffer.alloc(0);
    return this.#getObject(key, `bytes=${start}-${end - 1}`);
  }

  async #getObject(key: string, range: string | undefined): Promise<Buffer | undefined> {
    const { s3, sdk } = await this.#connect();
    try {
      return await withRetry(
        this.#read,
        async (abortSignal) => {
          const answer = await s3.send(
            new sdk.GetObjectCommand({ Bucket: this.#where.bucket, Key: this.#key(key), Range: range }),
            { abortSignal },
          );
          return Buffer.from(await answer.Body!.transformToByteArray());
        },
        () => undefined,
      );
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      if (statusOf(error) === 416) return Buffer.alloc(0);
      throw readError(this.location, key, error);
    }
  }

  async size(key: string, forWrite = false): Promise<number | undefined> {
    const { s3, sdk } = await this.#connect();
    try {
      const head = await withRetry(
        forWrite ? this.#upload : this.#read,
        (abortSignal) =>
          s3.send(new sdk.HeadObjectCommand({ Bucket: this.#where.bucket, Key: this.#key(key) }), { abortSignal }),
        () => (forWrite ? this.#stats.uploadRetries++ : undefined),
      );
      return head.ContentLength;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      if (forWrite) {
        this.#stats.uploadFailures++;
        throw new VigilError(
          ErrorCodes.STORE_WRITE,
          `${this.location}: checking ${key} before the upload failed: ${describe(error)}`,
          { cause: error },
        );
      }
      throw readError(this.location, key, error);
    }
  }

  async list(prefix: string): Promise<BlobEntry[]> {
    const { s3, sdk } = await this.#connect();
    const out: BlobEntry[] = [];
    let token: string | undefined;
    do {
      const page = await withRetry(
        this.#read,
        (abortSignal) =>
          s3.send(
            new sdk.ListObjectsV2Command({
              Bucket: this.#where.bucket,
              Prefix: this.#key(prefix),
              ContinuationToken: token,
            }),
            { abortSignal },
          ),
        () => undefined,
      ).catch((error: unknown) => {
        throw readError(this.location, prefix, error);
      });
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        out.push({
          key: object.Key.slice(this.#where.prefix.length),
          size: object.Size ?? 0,
          modifiedMillis: object.LastModified?.getTime() ?? 0,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const { s3, sdk } = await this.#connect();
    // One DeleteObject per key: DeleteObjects needs a checksum that S3-compatible servers disagree on. Deletes are free.
    await mapLimit(keys, PARALLEL_DELETES, (key) =>
      withRetry(
        this.#upload,
        (abortSignal) =>
          s3.send(new sdk.DeleteObjectCommand({ Bucket: this.#where.bucket, Key: this.#key(key) }), { abortSignal }),
        () => undefined,
      ).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw readError(this.location, key, error);
      }),
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.delete((await this.list(prefix)).map((e) => e.key));
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function describe(error: unknown): string {
  const status = statusOf(error);
  const name = (error as Error).name;
  const message = (error as Error).message;
  return `${status !== undefined ? `HTTP ${status} ` : ''}${name && name !== 'Error' ? `${name}: ` : ''}${message || String(error)}`;
}

function readError(location: string, key: string, error: unknown): VigilError {
  return new VigilError(ErrorCodes.STORE_READ, `${location}: reading ${key} failed: ${describe(error)}`, {
    cause: error,
  });
}
