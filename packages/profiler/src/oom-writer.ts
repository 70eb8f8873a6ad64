import { openStore } from '@vigil/store';
import type { OomWriterRequest } from './oom-capture.ts';

/**
 * Run by a process near its heap limit (see oom-capture.ts): stores the gzipped heap profile read from stdin under the
 * metadata given on the command line, then exits. Its own process, so the dying one only waits.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.argv[process.argv.length - 1]!) as OomWriterRequest;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  await openStore(request.storeLocation).put(request.metadata, Buffer.concat(chunks));
}

main().catch((error: unknown) => {
  process.stderr.write(`vigil near-heap-limit capture: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
