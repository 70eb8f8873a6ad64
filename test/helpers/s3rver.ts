import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { waitFor } from './metrics.ts';
import { freePort, spawnProcess, type Spawned } from './process.ts';

const BIN = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');

/**
 * A real S3-protocol server (`s3rver`) on loopback for a test, with one bucket; `env` holds the standard AWS variables
 * that point the SDK at it. `stop()` and `start()` again (same port, same data) let a test take it away mid-upload.
 */
export class S3rver {
  readonly bucket: string;
  readonly port: number;
  readonly dir: string;
  #process: Spawned | undefined;

  private constructor(bucket: string, port: number, dir: string) {
    this.bucket = bucket;
    this.port = port;
    this.dir = dir;
  }

  static async launch(bucket = 'vigil-test'): Promise<S3rver> {
    const server = new S3rver(bucket, await freePort(), mkdtempSync(join(tmpdir(), 'vigil-s3rver-')));
    await server.start();
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What a process needs to reach it through the standard AWS chain. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_S3: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      VIGIL_S3_FORCE_PATH_STYLE: 'true',
    };
  }

  async start(): Promise<void> {
    // s3rver's ListObjectsV2 continuation tokens are DES-encrypted, which OpenSSL 3 keeps in its legacy provider: without
    // it every listing of more than 1,000 keys is a 500.
    const proc = spawnProcess(process.execPath, [
      '--openssl-legacy-provider',
      BIN,
      '-d',
      this.dir,
      '-a',
      '127.0.0.1',
      '-p',
      String(this.port),
      '--silent',
      '--configure-bucket',
      this.bucket,
    ]);
    this.#process = proc;
    await waitFor(
      async () => (await fetch(`${this.endpoint}/${this.bucket}?list-type=2`)).status < 500,
      `s3rver on ${this.endpoint}\n${proc.output()}`,
      20_000,
    );
  }

  /** Kills the server (its data stays for the next `start()`). */
  async kill(): Promise<void> {
    await this.#process?.stop();
    this.#process = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
