import type { Observable, OperatorFunction } from 'rxjs';

const mark = Symbol.for('troupe.aggregate');

/** The fields of a sub-agent result the aggregation operators read. */
export interface ResultLike<O = unknown> {
  /** Position in the dispatch's arguments: the tie-breaker that makes aggregation order-independent. */
  index: number;
  output: O | undefined;
  success: boolean;
}

/**
 * Results whose output has the field `F` holding a `V` (or leaves it out): what
 * `rankBy('score')` and `majorityVote('answer')` accept, so a misspelled field does not compile.
 */
export type WithField<F extends string, V = unknown> = ResultLike<{ readonly [K in F]?: V }>;

/** The type of the output field `F` of results `T`, without `undefined` (a missing value abstains). */
export type FieldOf<T, F extends string> =
  T extends ResultLike<infer O> ? (O extends { readonly [K in F]?: infer V } ? Exclude<V, undefined> : never) : never;

/**
 * An aggregation that emits the results it is given, in an order, keeping their own type: a
 * dispatch's `aggregate: rankBy('score')` resolves with its `SubAgentResult<O, A>[]`, `args` and all.
 */
export type OrderedResults<In extends ResultLike> = <T extends In>(source: Observable<T>) => Observable<T[]>;

/**
 * Marks an RxJS operator as an aggregation, so `dispatchAgents({ aggregate })` pipes the live
 * results through it (its last value is the answer) instead of calling it with the array.
 * `collectAll`, `rankBy`, `majorityVote` and `bestResult` are marked already.
 *
 * @example
 * const count = asAggregate(pipe(filter((r) => r.success), count()));
 * await dispatchAgents({ template, arguments: args, agent, aggregate: count });
 * // => 7
 */
export function asAggregate<F extends OperatorFunction<never, unknown>>(operator: F): F {
  Object.defineProperty(operator, mark, { value: true });
  return operator;
}

/** True for operators marked by `asAggregate`. */
export function isAggregateOperator(value: unknown): value is OperatorFunction<unknown, unknown> {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[mark] === true;
}

/** Reads what an aggregation ranks or votes on: an output field by name, or a function's value. */
export function selector<T extends ResultLike, V>(
  operator: string,
  by: string | ((result: T) => V),
): (result: T) => V | undefined {
  if (typeof by === 'function') return by;
  if (typeof by !== 'string' || by === '') {
    throw new TypeError(`Expected \`${operator}\` to get an output field name or a function, got \`${String(by)}\``);
  }
  return (result) => {
    const output = result.output;
    return typeof output === 'object' && output !== null ? ((output as Record<string, unknown>)[by] as V) : undefined;
  };
}
