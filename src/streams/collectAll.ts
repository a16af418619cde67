import { map, type OperatorFunction, pipe, toArray } from 'rxjs';
import { asAggregate, type ResultLike } from './asAggregate.js';

/**
 * Collects every result, failed ones included, into one array in argument order (whatever
 * order they arrived in), emitted when the dispatch completes. The default `aggregate:`.
 *
 * @example
 * dispatch$({ template, arguments: args, agent }).pipe(collectAll())
 * // => [{ index: 0, success: true, ... }, { index: 1, success: false, error, ... }]
 */
export function collectAll<T extends ResultLike>(): OperatorFunction<T, T[]> {
  return asAggregate(
    pipe(
      toArray<T>(),
      map((results) => results.sort((a, b) => a.index - b.index)),
    ),
  );
}
