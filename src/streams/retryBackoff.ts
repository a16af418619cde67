import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { TroupeError } from '../errors.js';
import { backoffDelay, isRetryable } from '../util/backoff.js';
import { asyncScheduler, retry as retryOperator, throwError, timer } from '../util/rx.js';
import { checkObject, integerAtLeast, numberAtLeast, numberBetween, optionalFunction } from './checkOptions.js';

/** What `onRetry` is told before each retry. */
export interface RetryInfo {
  /** The retry about to happen: 1 for the first retry. */
  attempt: number;
  /** How long it waits before resubscribing. */
  delayMs: number;
  /** The error that caused it. */
  error: unknown;
}

/** Options of `retryBackoff` (and of the `retry` policy). */
export interface RetryBackoffConfig {
  /** Retries after the first attempt. @default 3 */
  maxRetries?: number;
  /** The delay before the first retry, in ms. @default 100 */
  initialMs?: number;
  /** The longest delay between attempts, in ms. @default 10000 */
  maxMs?: number;
  /** How much each delay grows over the previous one. @default 2 */
  factor?: number;
  /**
   * The share of each delay that is random, in [0, 1]: the delay is drawn from
   * `[ceiling × (1 − jitter), ceiling]`, so concurrent callers do not retry in lockstep. @default 0.5
   */
  jitter?: number;
  /** Whether an error is worth retrying. @default every error but bad input, unsafe input and cancellation */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /** Called before each retry, e.g. to record it as an event. */
  onRetry?: (info: RetryInfo) => void;
  /** The source of randomness for jitter; pass a seeded one in tests. @default Math.random */
  random?: () => number;
  /** The scheduler the delays run on. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/** `RetryBackoffConfig` with every default filled in and checked. */
export interface ResolvedBackoff {
  maxRetries: number;
  initialMs: number;
  maxMs: number;
  factor: number;
  jitter: number;
  retryIf: (error: unknown, attempt: number) => boolean;
  onRetry: ((info: RetryInfo) => void) | undefined;
  random: () => number;
}

/** Retries every error except those that would fail the same way again (`nonRetryableCodes`). */
function defaultRetryIf(error: unknown): boolean {
  return !(error instanceof TroupeError && !isRetryable(error.code));
}

/**
 * Checks a backoff config and fills in its defaults; `owner` names the caller in errors.
 *
 * @example
 * resolveBackoff('retryBackoff', { maxRetries: 5 }).initialMs
 * // => 100
 */
export function resolveBackoff(owner: string, config: RetryBackoffConfig): ResolvedBackoff {
  checkObject(owner, config);
  const initialMs = numberAtLeast(owner, 'initialMs', config.initialMs, 0, 100);
  const maxMs = numberAtLeast(owner, 'maxMs', config.maxMs, 0, 10_000);
  if (maxMs < initialMs) numberAtLeast(owner, 'maxMs', maxMs, initialMs);
  return {
    maxRetries: integerAtLeast(owner, 'maxRetries', config.maxRetries, 0, 3),
    initialMs,
    maxMs,
    factor: numberAtLeast(owner, 'factor', config.factor, 1, 2),
    jitter: numberBetween(owner, 'jitter', config.jitter, 0, 1, 0.5),
    retryIf: optionalFunction(owner, 'retryIf', config.retryIf) ?? defaultRetryIf,
    onRetry: optionalFunction(owner, 'onRetry', config.onRetry),
    random: optionalFunction(owner, 'random', config.random) ?? Math.random,
  };
}

export { backoffDelay };

/**
 * Resubscribes to the source after an error, waiting longer each time (exponential backoff
 * with jitter), up to `maxRetries` times; errors `retryIf` refuses, and the last error after
 * the retries run out, pass through unchanged.
 *
 * @example
 * defer(() => fetchQuote()).pipe(retryBackoff({ maxRetries: 2, initialMs: 50 }))
 * // fails, waits ~50 ms, fails, waits ~100 ms, succeeds
 * // => { price: 42 }
 */
export function retryBackoff<T>(config: RetryBackoffConfig = {}): MonoTypeOperatorFunction<T> {
  const policy = resolveBackoff('retryBackoff', config);
  const scheduler = config.scheduler ?? asyncScheduler;
  return retryOperator<T>({
    count: policy.maxRetries,
    delay: (error: unknown, attempt: number) => {
      if (!policy.retryIf(error, attempt)) return throwError(() => error);
      const delayMs = backoffDelay(policy, attempt);
      policy.onRetry?.({ attempt, delayMs, error });
      return timer(delayMs, scheduler);
    },
  });
}
