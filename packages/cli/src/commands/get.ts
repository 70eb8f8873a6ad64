import { writeFile } from 'node:fs/promises';
import type { CaptureSource } from '../source.ts';

/** `vigil get ID [--trace ID] -o FILE`: saves the capture (or one trace's samples of it). */
export async function getCommand(
  source: CaptureSource,
  id: string,
  options: { trace?: string; output?: string },
): Promise<string> {
  const bytes = await source.fetch(id, options.trace);
  const file = options.output ?? `${id}${options.trace ? `-${options.trace}` : ''}.pb.gz`;
  await writeFile(file, bytes);
  return `wrote ${file} (${bytes.length} bytes)${options.trace ? `, samples of trace ${options.trace} only` : ''}\n`;
}
