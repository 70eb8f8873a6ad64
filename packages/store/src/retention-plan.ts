import { dataOf, lastTouched, type CaptureFiles } from './capture-files.ts';
import { idTime } from './capture-keys.ts';
import type { RetentionPolicy } from './types.ts';

export interface RetentionPlan {
  /** Complete captures to remove, oldest first. */
  doomed: CaptureFiles[];
  /** Files without metadata whose writer is gone (untouched for the grace period): a crash's leftovers. */
  orphans: CaptureFiles[];
  /** What stays. */
  kept: CaptureFiles[];
}

/**
 * Which captures go: the oldest first, until what is left is within count, bytes and age. Pure, so that every writer
 * sharing a store computes the same answer from the same listing: retention needs no lock, only idempotent deletes.
 */
export function planRetention(
  captures: readonly CaptureFiles[],
  policy: RetentionPolicy,
  now: number,
  orphanGraceMillis: number,
): RetentionPlan {
  const complete = captures.filter((c) => c.parts.metadata !== undefined);
  const orphans = captures.filter((c) => c.parts.metadata === undefined && now - lastTouched(c) > orphanGraceMillis);
  const sizes = complete.map((c) => dataOf(c)?.size ?? 0);
  let bytes = sizes.reduce((a, b) => a + b, 0);
  let count = complete.length;
  let cut = 0;
  while (cut < complete.length) {
    const tooOld = now - idTime(complete[cut]!.id) > policy.maxAgeMillis;
    if (!tooOld && count <= policy.maxCount && bytes <= policy.maxBytes) break;
    count--;
    bytes -= sizes[cut]!;
    cut++;
  }
  return { doomed: complete.slice(0, cut), orphans, kept: complete.slice(cut) };
}
