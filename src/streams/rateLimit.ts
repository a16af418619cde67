import type { MonoTypeOperatorFunction, SchedulerLike, Subscription } from 'rxjs';
import { ConfigError } from '../errors.js';
import { asyncScheduler, Observable } from '../util/rx.js';
import { checkObject, integerAtLeast, numberAtLeast } from './checkOptions.js';

/**
 * Anything that runs jobs under a rate limit: a `bottleneck` instance fits as it is
 * (`new Bottleneck({ reservoir, minTime, maxConcurrent })`). The job's promise holds its slot
 * until it settles.
 */
export interface RateLimiter {
  schedule<R>(job: () => Promise<R>): Promise<R>;
}

/** A built-in limit: at most `limit` subscriptions start in any `intervalMs`. */
export interface RateLimitConfig {
  /** Starts allowed per interval. */
  limit: number;
  /** The length of the sliding interval, in ms. */
  intervalMs: number;
  /** The scheduler the waits run on. @default asyncScheduler */
  scheduler?: SchedulerLike;
}

/**
 * A sliding-window limiter on a scheduler: a job starts when fewer than `limit` jobs started
 * in the last `intervalMs`, otherwise it waits until the oldest start leaves the window.
 */
function slidingWindow(config: RateLimitConfig): RateLimiter & Withdrawable {
  const limit = integerAtLeast('rateLimit', 'limit', config.limit, 1);
  const intervalMs = numberAtLeast('rateLimit', 'intervalMs', config.intervalMs, 1);
  const scheduler = config.scheduler ?? asyncScheduler;
  const starts: number[] = [];
  const waiting: { job: () => Promise<unknown>; start: () => void }[] = [];
  let timer: Subscription | undefined;

  function drain(): void {
    const now = scheduler.now();
    while (starts.length > 0 && now - (starts[0] as number) >= intervalMs) starts.shift();
    while (waiting.length > 0 && starts.length < limit) {
      starts.push(now);
      waiting.shift()?.start();
    }
    if (waiting.length > 0 && timer === undefined) {
      timer = scheduler.schedule(
        () => {
          timer = undefined;
          drain();
        },
        (starts[0] as number) + intervalMs - now,
      );
    }
  }

  return {
    schedule<R>(job: () => Promise<R>): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ job, start: () => job().then(resolve, reject) });
        drain();
      });
    },
    withdraw(job) {
      const at = waiting.findIndex((w) => w.job === job);
      if (at >= 0) waiting.splice(at, 1);
      // Nothing left to wait for: drop the timer so it cannot keep the process alive.
      if (waiting.length === 0) {
        timer?.unsubscribe();
        timer = undefined;
      }
    },
  };
}

/** A limiter that can take back a job still waiting (the built-in one can; bottleneck cannot). */
interface Withdrawable {
  withdraw(job: () => Promise<unknown>): void;
}

/**
 * Delays each subscription until `limiter` grants it a slot, and holds the slot until the
 * subscription completes, errors or is unsubscribed. Pass a `bottleneck` instance (provider
 * quotas, reservoirs) or `{ limit, intervalMs }` for the built-in sliding window. With no
 * limit configured, leave the operator out: it is never a no-op pass-through.
 *
 * @example
 * const perSecond = rateLimit({ limit: 5, intervalMs: 1_000 });
 * ids.pipe(mergeMap((id) => defer(() => fetchUser(id)).pipe(perSecond)))
 * // => at most 5 fetches start in any second
 */
export function rateLimit<T>(limiter: RateLimiter | RateLimitConfig): MonoTypeOperatorFunction<T> {
  checkObject('rateLimit', limiter);
  let gate: RateLimiter & Partial<Withdrawable>;
  if (typeof (limiter as RateLimiter).schedule === 'function') gate = limiter as RateLimiter;
  else if ('limit' in limiter || 'intervalMs' in limiter) gate = slidingWindow(limiter as RateLimitConfig);
  else {
    throw new ConfigError([
      'rateLimit: expected a limiter with a `schedule(job)` method (e.g. bottleneck) or `{ limit, intervalMs }`',
    ]);
  }
  return (source) =>
    new Observable<T>((subscriber) => {
      let release: (() => void) | undefined;
      let cancelled = false;
      const job = () =>
        new Promise<void>((done) => {
          if (cancelled) {
            done();
            return;
          }
          release = done;
          subscriber.add(
            source.subscribe({
              next: (value) => subscriber.next(value),
              error: (error: unknown) => subscriber.error(error),
              complete: () => subscriber.complete(),
            }),
          );
        });
      gate.schedule(job).catch((error: unknown) => subscriber.error(error));
      return () => {
        cancelled = true;
        if (release === undefined) gate.withdraw?.(job);
        else release();
      };
    });
}
