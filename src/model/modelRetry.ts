import { ConfigError, ToolTimeoutError, TroupeError, toErrorInfo } from '../errors.js';
import { abortReason, deadline, sleep } from '../util/abort.js';
import { backoffDelay } from '../util/backoff.js';
import type { ModelAttempt } from './Model.js';
import type { LimitedRun } from './modelLimiter.js';
import { loadOpenAI, type OpenAIModule } from './openaiSdk.js';

/** How a model call's failed HTTP attempts are retried. */
export interface ModelRetryPolicy {
  /** Retries after the first attempt. @default 3 */
  maxRetries: number;
  /** Backoff before the first retry of a 5xx or timeout; doubled for each further one. @default 500 */
  initialDelayMs: number;
  /** The longest backoff. @default 8000 */
  maxDelayMs: number;
  /** The longest `retry-after` honoured; a 429 asking for more gives up at once. @default 60000 */
  maxRetryAfterMs: number;
}

/** A failed attempt, classified. */
interface Failure {
  error: TroupeError;
  status?: number;
  retryable: boolean;
  /** What the server asked for (`retry-after-ms` or `retry-after`). */
  retryAfterMs?: number;
}

/** Reads `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (raw === undefined || raw === null) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function classify(err: unknown, model: string, what: string, sdk: OpenAIModule): Failure {
  const { APIConnectionError, APIError, AuthenticationError } = sdk;
  if (err instanceof TroupeError) return { error: err, retryable: err instanceof ToolTimeoutError };
  if (err instanceof AuthenticationError) {
    const issue = `The server refused the API key for \`${model}\` (401): set \`OPENAI_API_KEY\` to a valid key`;
    return { error: new ConfigError([issue], { cause: err }), status: 401, retryable: false };
  }
  if (err instanceof APIConnectionError) {
    const error = new TroupeError('MODEL_FAILED', `${what}: could not reach the server (${err.message})`, {
      cause: err,
    });
    return { error, retryable: true };
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const { status } = err;
    const base = `${what}: the server answered ${status} (${err.message})`;
    if (status === 429) {
      const after = retryAfterMs(err.headers);
      const error = new TroupeError('MODEL_RATE_LIMITED', base, { cause: err });
      return after === undefined
        ? { error, status, retryable: true }
        : { error, status, retryable: true, retryAfterMs: after };
    }
    const retryable = status >= 500 || status === 408 || status === 409;
    return { error: new TroupeError('MODEL_FAILED', base, { cause: err }), status, retryable };
  }
  // The body broke off mid-stream, or similar transport trouble: worth another attempt.
  const message = err instanceof Error ? err.message : String(err);
  return { error: new TroupeError('MODEL_FAILED', `${what}: ${message}`, { cause: err }), retryable: true };
}

function backoff(policy: ModelRetryPolicy, retry: number): number {
  return backoffDelay({ initialMs: policy.initialDelayMs, maxMs: policy.maxDelayMs }, retry);
}

/** What `withModelRetries` needs besides the attempt itself. */
export interface RetryContext {
  policy: ModelRetryPolicy;
  /** The longest one attempt may take; it then fails with `TOOL_TIMEOUT` and is retried. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Names the call in error messages, e.g. ``Model `gpt-4o-mini` (plan)``. */
  what: string;
  model: string;
  onAttempt?: (attempt: ModelAttempt) => void;
  /** Holds each attempt until the model's rate limiter lets it start; its wait is not timed. */
  gate?: LimitedRun;
}

/** One attempt under its own deadline; running out of time is a `ToolTimeoutError`. */
async function timed<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  context: RetryContext,
  n: number,
  sdk: OpenAIModule,
): Promise<T> {
  const { timeoutMs, what } = context;
  const limit = deadline(context.signal, timeoutMs, () => new ToolTimeoutError(`${what} attempt ${n}`, timeoutMs));
  try {
    return await attempt(limit.signal);
  } catch (err) {
    const timedOut = !context.signal.aborted && limit.signal.aborted;
    throw timedOut && (err instanceof sdk.APIUserAbortError || err === limit.signal.reason) ? limit.signal.reason : err;
  } finally {
    limit.dispose();
  }
}

/**
 * Runs `attempt` until it succeeds or fails for good: a 429 waits what `retry-after` asks,
 * 5xx, 408, transport errors and timeouts wait an exponential backoff with jitter; each
 * failed attempt is reported to `onAttempt` (with `retryInMs` when another follows). The
 * caller's abort ends it at once with the abort's reason.
 *
 * @example
 * const { value, attempts } = await withModelRetries((signal) => client.chat.completions.create(body, { signal }), context);
 * // => { value: completion, attempts: 2 } after one 503
 */
export async function withModelRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  context: RetryContext,
): Promise<{ value: T; attempts: number }> {
  const sdk = await loadOpenAI();
  const { policy, signal, what } = context;
  for (let n = 1; ; n++) {
    let failure: Failure;
    try {
      const { gate } = context;
      const value = await (gate === undefined
        ? timed(attempt, context, n, sdk)
        : gate(() => timed(attempt, context, n, sdk), signal));
      return { value, attempts: n };
    } catch (err) {
      if (signal.aborted) throw abortReason(signal);
      failure = classify(err, context.model, what, sdk);
    }
    const wait = failure.retryAfterMs ?? backoff(policy, n);
    const again = failure.retryable && n <= policy.maxRetries && wait <= policy.maxRetryAfterMs;
    context.onAttempt?.({
      attempt: n,
      error: toErrorInfo(failure.error),
      ...(failure.status === undefined ? {} : { status: failure.status }),
      ...(again ? { retryInMs: wait } : {}),
    });
    if (!again) throw failure.error;
    await sleep(wait, signal);
  }
}
