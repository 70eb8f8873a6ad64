import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** The whole operation, retries included, ends by then. */
  deadlineMillis: number;
  firstDelayMillis: number;
  maxDelayMillis: number;
}

/** HTTP statuses worth another try: the server's trouble, or throttling. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * An answer that says "stop trying" (denied, no such bucket, bad request) rather than a fault that may pass (a network
 * error, a timeout, throttling, a 5xx).
 */
export function isFinal(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status < 500 && !RETRY_STATUSES.has(status);
}

/**
 * Runs `fn` until it succeeds, fails for good, or the deadline passes, waiting with exponential backoff and jitter.
 * Each attempt gets the time that is left as its abort signal, so a hung connection does not outlive the deadline.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (signal: AbortSignal) => Promise<T>,
  onRetry: (error: unknown) => void,
): Promise<T> {
  const deadline = performance.now() + policy.deadlineMillis;
  for (let attempt = 0; ; attempt++) {
    const left = deadline - performance.now();
    try {
      return await fn(AbortSignal.timeout(Math.max(1, Math.ceil(left))));
    } catch (error) {
      const delay = Math.min(policy.maxDelayMillis, policy.firstDelayMillis * 2 ** attempt) * (0.5 + Math.random() / 2);
      if (isFinal(error) || performance.now() + delay >= deadline) throw error;
      onRetry(error);
      await sleep(Math.round(delay), undefined, { ref: false });
    }
  }
}
