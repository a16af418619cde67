import { map, type Observable, toArray } from '../util/rx.js';
import { asAggregate, type OrderedResults, type ResultLike } from './asAggregate.js';

/**
 * Collects every result, failed ones included, into one array in argument order (whatever
 * order they arrived in), emitted when the dispatch completes. The default `aggregate:`.
 *
 * @example
 * dispatch$({ template, arguments: args, agent }).pipe(collectAll())
 * // => [{ index: 0, success: true, ... }, { index: 1, success: false, error, ... }]
 */
export function collectAll(): OrderedResults<ResultLike> {
  return asAggregate(<T extends ResultLike>(source: Observable<T>) =>
    source.pipe(
      toArray(),
      map((results) => results.sort((a, b) => a.index - b.index)),
    ),
  );
}
