import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import { ToolTimeoutError } from '../errors.js';
import { asyncScheduler, Observable } from '../util/rx.js';
import { checkObject, nonEmptyString, numberAtLeast } from './checkOptions.js';

/** Options of `withTimeout` (or just the number of ms). */
export interface WithTimeoutConfig {
  /** The longest the source may take to complete, in ms. */
  ms: number;
  /** Names what timed out in the error, e.g. `Tool \`search\``. @default 'The operation' */
  what?: string;
  /** The scheduler the deadline runs on. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * Fails with `ToolTimeoutError` when the source has not completed within `ms` of being
 * subscribed, and unsubscribes from it (which cancels the work behind a `defer`ed call).
 * Unlike RxJS `timeout`, the limit is on the whole call, not the gap between values.
 *
 * @example
 * defer(() => slowTool()).pipe(withTimeout({ ms: 2_000, what: 'Tool `slow`' }))
 * // after 2 s without completing:
 * // => ToolTimeoutError: Tool `slow` did not settle within 2000 ms
 */
export function withTimeout<T>(config: number | WithTimeoutConfig): MonoTypeOperatorFunction<T> {
  const options: WithTimeoutConfig =
    typeof config === 'object' && config !== null ? config : { ms: config as unknown as number };
  checkObject('withTimeout', options);
  const ms = numberAtLeast('withTimeout', 'ms', options.ms, 0);
  const what = nonEmptyString('withTimeout', 'what', options.what, 'The operation');
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<T>((subscriber) => {
      const timer = scheduler.schedule(() => subscriber.error(new ToolTimeoutError(what, ms)), ms);
      const inner = source.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        timer.unsubscribe();
        inner.unsubscribe();
      };
    });
}
