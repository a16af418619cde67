import { map, type Observable, toArray } from '../util/rx.js';
import { asAggregate, type OrderedResults, type ResultLike, selector, type WithField } from './asAggregate.js';

/** A rank key: a number, or numbers compared in turn (e.g. `[passed, -ms]`: correctness, then speed). */
export type RankKey = number | readonly number[];

/** Options of `rankBy`. */
export interface RankByOptions {
  /** `desc` puts the highest key first. @default 'desc' */
  order?: 'asc' | 'desc';
}

function compareKeys(a: RankKey, b: RankKey): number {
  const left = typeof a === 'number' ? [a] : a;
  const right = typeof b === 'number' ? [b] : b;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const difference = (left[i] ?? Number.NEGATIVE_INFINITY) - (right[i] ?? Number.NEGATIVE_INFINITY);
    if (difference !== 0 && !Number.isNaN(difference)) return difference;
  }
  return 0;
}

function usable(key: unknown): key is RankKey {
  if (typeof key === 'number') return !Number.isNaN(key);
  return Array.isArray(key) && key.every((k) => typeof k === 'number' && !Number.isNaN(k));
}

/**
 * Sorts every result by a key when the dispatch completes: an output field by name or a
 * function of the result. Results that failed or have no usable key are kept, after the
 * ranked ones; equal keys keep argument order, so the ranking does not depend on arrival order.
 *
 * @example
 * dispatch$({ template, arguments: args, agent }).pipe(rankBy('score'))
 * // => [{ index: 2, output: { score: 0.9 } }, { index: 0, output: { score: 0.4 } }, ...]
 * rankBy((r: Trial) => [r.output?.passed ?? 0, -(r.output?.ms ?? 0)]) // correctness, then speed
 *
 * A field name is checked against the results' output type: `rankBy('scroe')` does not compile
 * where outputs have `score`, nor `rankBy('label')` where `label` is not a number.
 */
export function rankBy<F extends string>(field: F, options?: RankByOptions): OrderedResults<WithField<F, RankKey>>;
export function rankBy<R extends ResultLike>(
  by: (result: R) => RankKey | undefined,
  options?: RankByOptions,
): OrderedResults<R>;
export function rankBy(
  by: string | ((result: ResultLike) => RankKey | undefined),
  options: RankByOptions = {},
): OrderedResults<ResultLike> {
  const key = selector<ResultLike, unknown>('rankBy', by);
  const order = options.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw new TypeError(`Expected \`rankBy\` option \`order\` to be 'asc' or 'desc', got \`${String(order)}\``);
  }
  const sign = order === 'desc' ? -1 : 1;
  return asAggregate(<T extends ResultLike>(source: Observable<T>) =>
    source.pipe(
      toArray(),
      map((results) => {
        const ranked: { result: T; key: RankKey }[] = [];
        const rest: T[] = [];
        for (const result of results) {
          const value = result.success ? key(result) : undefined;
          if (usable(value)) ranked.push({ result, key: value });
          else rest.push(result);
        }
        ranked.sort((a, b) => sign * compareKeys(a.key, b.key) || a.result.index - b.result.index);
        rest.sort((a, b) => a.index - b.index);
        return [...ranked.map((r) => r.result), ...rest];
      }),
    ),
  );
}
