/**
 * Error codes that would fail the same way on every attempt: bad or unsafe input, a cancelled
 * run, bad configuration, a closed log, a refused spend, a step over its tool-call limit, a plan reference that resolves to nothing. The one list every retry (tasks,
 * `retryBackoff`) consults, and the errors a circuit breaker does not blame on its target.
 */
export const nonRetryableCodes: ReadonlySet<string> = new Set([
  'TOOL_INPUT_INVALID',
  'RUN_CANCELLED',
  'UNSAFE_INPUT',
  'CONFIG_INVALID',
  'LOG_CLOSED',
  'BUDGET_EXCEEDED',
  'TOOL_CALL_LIMIT',
  'REFERENCE_UNRESOLVED',
]);

/**
 * Whether an error with `code` is worth another attempt.
 *
 * @example
 * isRetryable('TOOL_FAILED')
 * // => true
 */
export function isRetryable(code: string): boolean {
  return !nonRetryableCodes.has(code);
}

/** The shape of an exponential backoff. */
export interface BackoffShape {
  /** The delay before the first retry, in ms. */
  initialMs: number;
  /** The longest delay, in ms. */
  maxMs: number;
  /** How much each delay grows over the previous one. @default 2 */
  factor?: number;
  /** The share of each delay that is random, in [0, 1]. @default 0.5 */
  jitter?: number;
  /** The source of randomness. @default Math.random */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (1-based): exponential growth capped at `maxMs`, minus
 * a random share of up to `jitter` (a draw near 1 gives the ceiling, 0 the floor), so concurrent
 * callers do not retry in lockstep. The one
 * backoff of the runtime: task retries, model calls and `retryBackoff` all use it.
 *
 * @example
 * backoffDelay({ initialMs: 100, maxMs: 10_000, jitter: 0 }, 3)
 * // => 400
 */
export function backoffDelay(shape: BackoffShape, attempt: number): number {
  const ceiling = Math.min(shape.maxMs, shape.initialMs * (shape.factor ?? 2) ** (attempt - 1));
  return Math.round(ceiling * (1 - (shape.jitter ?? 0.5) * (1 - (shape.random ?? Math.random)())));
}
