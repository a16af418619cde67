import type { Subscriber } from 'rxjs';
import { TroupeError } from '../errors.js';
import { Observable } from '../util/rx.js';
import { checkObject, integerAtLeast, nonEmptyString } from './checkOptions.js';

/** Options of `bulkhead`. */
export interface BulkheadConfig {
  /** Subscriptions running at once. */
  maxConcurrent: number;
  /** Subscriptions waiting for a slot; one more is rejected with `BULKHEAD_FULL`. @default 0 */
  maxQueued?: number;
  /** Names the bulkhead in errors. @default 'bulkhead' */
  name?: string;
}

/** A bulkhead: an operator whose slots and queue are shared by every subscription piped through it. */
export interface Bulkhead {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  /** Subscriptions running now. */
  readonly active: number;
  /** Subscriptions waiting for a slot. */
  readonly queued: number;
}

/**
 * Caps how many subscriptions run at once (`maxConcurrent`); the next `maxQueued` wait in
 * order for a slot, and any beyond that fail at once with a `TroupeError` of code
 * `BULKHEAD_FULL`, so one slow dependency cannot soak up every caller. A waiting subscription
 * that unsubscribes leaves the queue.
 *
 * @example
 * const pool = bulkhead({ name: 'geocoder', maxConcurrent: 2, maxQueued: 10 });
 * addresses.pipe(mergeMap((a) => defer(() => geocode(a)).pipe(pool)))
 * // the 13th call while 2 run and 10 wait:
 * // => TroupeError BULKHEAD_FULL: Bulkhead `geocoder` is full: 2 running and 10 queued (maxQueued)
 */
export function bulkhead(config: BulkheadConfig): Bulkhead {
  checkObject('bulkhead', config);
  const maxConcurrent = integerAtLeast('bulkhead', 'maxConcurrent', config.maxConcurrent, 1);
  const maxQueued = integerAtLeast('bulkhead', 'maxQueued', config.maxQueued, 0, 0);
  const name = nonEmptyString('bulkhead', 'name', config.name, 'bulkhead');
  let active = 0;
  const queue: (() => void)[] = [];

  function release(): void {
    active -= 1;
    const next = queue.shift();
    if (next !== undefined) next();
  }

  const operator = <T>(source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber: Subscriber<T>) => {
      let running = false;
      let done = false;
      const start = (): void => {
        active += 1;
        running = true;
        subscriber.add(
          source.subscribe({
            next: (value) => subscriber.next(value),
            error: (error: unknown) => subscriber.error(error),
            complete: () => subscriber.complete(),
          }),
        );
      };
      if (active < maxConcurrent) start();
      else if (queue.length < maxQueued) queue.push(start);
      else {
        subscriber.error(
          new TroupeError(
            'BULKHEAD_FULL',
            `Bulkhead \`${name}\` is full: ${active} running and ${queue.length} queued (maxConcurrent ${maxConcurrent}, maxQueued ${maxQueued})`,
          ),
        );
        return;
      }
      return () => {
        if (done) return;
        done = true;
        if (running) release();
        else {
          const at = queue.indexOf(start);
          if (at >= 0) queue.splice(at, 1);
        }
      };
    });

  return Object.defineProperties(operator, {
    name: { value: name },
    active: { get: () => active },
    queued: { get: () => queue.length },
  }) as Bulkhead;
}
