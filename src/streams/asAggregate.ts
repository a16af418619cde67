import type { OperatorFunction } from 'rxjs';

const mark = Symbol.for('troupe.aggregate');

/** The fields of a sub-agent result the aggregation operators read. */
export interface ResultLike<O = unknown> {
  /** Position in the dispatch's arguments: the tie-breaker that makes aggregation order-independent. */
  index: number;
  output: O | undefined;
  success: boolean;
}

/**
 * The output field names of a result type, for `rankBy('score')` and `majorityVote('answer')`;
 * any name when the output type is not known (e.g. not yet inferred).
 */
export type OutputField<T> =
  T extends ResultLike<infer O> ? (unknown extends O ? string : O extends object ? keyof O & string : never) : never;

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
export function asAggregate<T, R>(operator: OperatorFunction<T, R>): OperatorFunction<T, R> {
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
