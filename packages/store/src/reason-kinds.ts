import type { CaptureReason } from './types.ts';

/** Every reason a capture is taken for: what metadata may hold and what listings filter by (`reason`). */
export const REASON_KINDS: readonly CaptureReason['kind'][] = ['rule', 'alert', 'manual', 'http', 'oom', 'continuous'];
