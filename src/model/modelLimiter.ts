import { ConfigError } from '../errors.js';
import { abortReason, raceAbort } from '../util/abort.js';
import { bottleneckDriver } from '../util/bottleneckDriver.js';

/** Provider limits of one model. Leave both unset for no limiter at all. */
export interface ModelLimits {
  /** Requests started per second, spread evenly (`minTime = 1000 / requestsPerSecond`). */
  requestsPerSecond?: number;
  /** Requests in flight at once. */
  maxConcurrent?: number;
}

/** Runs one request under the model's limits; `signal` drops a request still queued. */
export type LimitedRun = <T>(job: () => Promise<T>, signal: AbortSignal) => Promise<T>;

function check(name: keyof ModelLimits, value: number | undefined, integer: boolean): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    return [
      `Expected \`limits.${name}\` to be ${integer ? 'an integer ≥ 1' : 'a number > 0'}, got \`${String(value)}\``,
    ];
  }
  return [];
}

/**
 * A bottleneck limiter for one model, or `undefined` when no limit is set: bottleneck costs
 * ≈ 2.8 ms per job, serially, so it stays off the path unless a provider limit asks for it.
 * A job whose signal aborts while it waits is refused as soon as its turn comes.
 *
 * @example
 * const run = modelLimiter({ requestsPerSecond: 5, maxConcurrent: 2 });
 * await run?.(() => client.chat.completions.create(body), signal);
 * // => the completion, started no sooner than 200 ms after the previous one
 */
export function modelLimiter(limits: ModelLimits | undefined): LimitedRun | undefined {
  if (limits === undefined) return undefined;
  const issues = [
    ...check('requestsPerSecond', limits.requestsPerSecond, false),
    ...check('maxConcurrent', limits.maxConcurrent, true),
  ];
  if (issues.length > 0) throw new ConfigError(issues);
  if (limits.requestsPerSecond === undefined && limits.maxConcurrent === undefined) return undefined;
  const limiter = new (bottleneckDriver())({
    maxConcurrent: limits.maxConcurrent ?? null,
    minTime: limits.requestsPerSecond === undefined ? 0 : Math.ceil(1000 / limits.requestsPerSecond),
  });
  return (job, signal) =>
    raceAbort(
      limiter.schedule(() => (signal.aborted ? Promise.reject(abortReason(signal)) : job())),
      signal,
    );
}
