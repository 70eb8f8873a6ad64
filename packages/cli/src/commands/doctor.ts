import { openStore, type StoreCheck } from '@vigil/store';
import { CliError } from '../cli-error.ts';

/**
 * `vigil doctor --store URL [--json]`: reads every file of a store and lists what listing and serving skip (corrupt
 * metadata, cut-short profiles, unreadable trace lists or index segments, orphans, foreign files). Changes nothing.
 */
export async function doctorCommand(
  storeUrl: string | undefined,
  options: { json: boolean },
): Promise<{ output: string; healthy: boolean }> {
  if (storeUrl === undefined) throw new CliError('doctor needs --store URL (file://DIR or s3://BUCKET/PREFIX)', 2);
  const store = openStore(storeUrl, {}, '--store', {
    maintenance: false,
    forcePathStyle: process.env.VIGIL_S3_FORCE_PATH_STYLE === 'true',
  });
  let report: StoreCheck;
  try {
    report = await store.check();
  } finally {
    await store.close();
  }
  const healthy = report.problems.length === 0;
  if (options.json) return { output: `${JSON.stringify(report, null, 2)}\n`, healthy };
  const lines = [
    `${report.location}: ${report.captures} captures, ${report.bytes} bytes, ${report.indexSegments} trace index segments`,
    healthy
      ? 'no problems found'
      : `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} (skipped by listings, never served):`,
    ...report.problems.map((p) => `  ${p.kind.padEnd(18)} ${p.key}: ${p.detail}`),
  ];
  return { output: `${lines.join('\n')}\n`, healthy };
}
