import { backoffDelay, type RetryBackoffConfig, resolveBackoff } from '../streams/retryBackoff.js';
import { sleep } from '../util/abort.js';

/** Options of the `retry` policy: the backoff of `retryBackoff`, and a signal to stop waiting. */
export interface RetryPolicyConfig extends Omit<RetryBackoffConfig, 'scheduler'> {
  /** Aborts the wait between attempts (and is passed to every attempt). */
  signal?: AbortSignal;
}

/**
 * Builds the per-task retry policy: `run(work)` calls `work` until it resolves, waiting with
 * exponential backoff and jitter between attempts, up to `maxRetries` retries. Errors
 * `retryIf` refuses, and the last error, are thrown unchanged. The Promise twin of the
 * `retryBackoff` operator, for code that is not a stream; options are checked once, here.
 *
 * @example
 * const policy = retry({ maxRetries: 2, initialMs: 100, onRetry: (r) => log(r) });
 * await policy.run((signal, attempt) => callFlakyApi(signal));
 * // => the first successful result, after at most 3 attempts
 */
export function retry(config: RetryPolicyConfig = {}): {
  run<T>(work: (signal: AbortSignal, attempt: number) => Promise<T>): Promise<T>;
} {
  const policy = resolveBackoff('retry', config);
  const signal = config.signal ?? new AbortController().signal;
  return {
    async run<T>(work: (signal: AbortSignal, attempt: number) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await work(signal, attempt);
        } catch (error) {
          if (attempt > policy.maxRetries || !policy.retryIf(error, attempt)) throw error;
          const delayMs = backoffDelay(policy, attempt);
          policy.onRetry?.({ attempt, delayMs, error });
          await sleep(delayMs, signal);
        }
      }
    },
  };
}
