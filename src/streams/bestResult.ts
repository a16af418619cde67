import { map, type Observable, reduce } from '../util/rx.js';
import { asAggregate, type ResultLike } from './asAggregate.js';

/**
 * Emits the successful result with the highest score when the dispatch completes, or
 * `undefined` when none succeeded (or every score was `NaN`). Equal scores go to the lower
 * argument index, so the winner does not depend on arrival order.
 *
 * @example
 * dispatch$({ template, arguments: drafts, agent: critic }).pipe(bestResult((r) => r.output.rating))
 * // => { index: 3, output: { rating: 9, text: '...' }, success: true, ... }
 */
export function bestResult<R extends ResultLike>(
  score: (result: R) => number,
): <T extends R>(source: Observable<T>) => Observable<T | undefined> {
  if (typeof score !== 'function') {
    throw new TypeError(`Expected \`bestResult\` to get a score function, got \`${String(score)}\``);
  }
  return asAggregate(<T extends R>(source: Observable<T>) =>
    source.pipe(
      reduce<T, { result: T; score: number } | undefined>((best, result) => {
        if (!result.success) return best;
        const value = score(result);
        if (Number.isNaN(value)) return best;
        if (best === undefined || value > best.score || (value === best.score && result.index < best.result.index)) {
          return { result, score: value };
        }
        return best;
      }, undefined),
      map((best) => best?.result),
    ),
  );
}
