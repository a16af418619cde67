import { stableStringify } from '../tools/idempotencyKey.js';
import { map, type Observable, toArray } from '../util/rx.js';
import { asAggregate, type FieldOf, type ResultLike, selector, type WithField } from './asAggregate.js';

/** One distinct answer and who gave it. */
export interface Ballot<V> {
  value: V;
  votes: number;
  /** The argument indexes of the results that voted for it, ascending. */
  indexes: number[];
}

/**
 * The outcome of a vote. `tie`: two or more answers share the most votes (`tied` lists them).
 * `majority`: one answer has the most votes and more than `quorum` of the votes cast.
 * `no_quorum`: the top answer has too few votes, or nobody voted.
 */
export type VoteResult<V> =
  | { outcome: 'majority'; winner: V; votes: number; cast: number; abstained: number; ballots: Ballot<V>[] }
  | { outcome: 'tie'; tied: V[]; votes: number; cast: number; abstained: number; ballots: Ballot<V>[] }
  | { outcome: 'no_quorum'; votes: number; cast: number; abstained: number; ballots: Ballot<V>[] };

/** Options of `majorityVote`. */
export interface MajorityVoteOptions {
  /** The share of the votes cast the winner must exceed, in [0, 1). @default 0.5 (a strict majority) */
  quorum?: number;
}

/**
 * Counts the answers of successful results (equal values, compared as JSON with sorted keys,
 * are one answer) and emits the outcome when the dispatch completes. Failed results and
 * `undefined` answers abstain. Ties and a missing quorum are outcomes, never a silent pick.
 *
 * @example
 * dispatch$({ template, arguments: judges, agent }).pipe(majorityVote('verdict'))
 * // => { outcome: 'majority', winner: 'guilty', votes: 7, cast: 12, abstained: 0, ballots: [...] }
 *
 * A field name is checked against the results' output type, and the winner has that field's type.
 */
export function majorityVote<F extends string>(
  field: F,
  options?: MajorityVoteOptions,
): <T extends WithField<F>>(source: Observable<T>) => Observable<VoteResult<FieldOf<T, F>>>;
export function majorityVote<R extends ResultLike, V>(
  by: (result: R) => V,
  options?: MajorityVoteOptions,
): <T extends R>(source: Observable<T>) => Observable<VoteResult<Exclude<V, undefined>>>;
export function majorityVote(
  by: string | ((result: ResultLike) => unknown),
  options: MajorityVoteOptions = {},
): <T extends ResultLike>(source: Observable<T>) => Observable<VoteResult<never>> {
  // Votes are compared, never looked into, so the winner is whatever type the overload promises.
  type V = never;
  const pick = selector<ResultLike, V>('majorityVote', by as string | ((result: ResultLike) => V));
  const quorum = options.quorum ?? 0.5;
  if (typeof quorum !== 'number' || !(quorum >= 0 && quorum < 1)) {
    throw new TypeError(`Expected \`majorityVote\` option \`quorum\` to be a number in [0, 1), got \`${quorum}\``);
  }
  return asAggregate(<T extends ResultLike>(source: Observable<T>) =>
    source.pipe(
      toArray(),
      map((results): VoteResult<V> => {
        const byKey = new Map<string, Ballot<V>>();
        let abstained = 0;
        for (const result of results) {
          const value = result.success ? pick(result) : undefined;
          if (value === undefined) {
            abstained += 1;
            continue;
          }
          const key = stableStringify(value);
          const ballot = byKey.get(key) ?? { value, votes: 0, indexes: [] };
          ballot.votes += 1;
          ballot.indexes.push(result.index);
          byKey.set(key, ballot);
        }
        for (const ballot of byKey.values()) ballot.indexes.sort((a, b) => a - b);
        const ballots = [...byKey.values()].sort(
          (a, b) => b.votes - a.votes || (a.indexes[0] as number) - (b.indexes[0] as number),
        );
        const cast = results.length - abstained;
        const top = ballots[0];
        const votes = top?.votes ?? 0;
        const base = { votes, cast, abstained, ballots };
        if (top === undefined) return { outcome: 'no_quorum', ...base };
        const tied = ballots.filter((b) => b.votes === votes);
        if (tied.length > 1) return { outcome: 'tie', tied: tied.map((b) => b.value), ...base };
        if (votes <= quorum * cast) return { outcome: 'no_quorum', ...base };
        return { outcome: 'majority', winner: top.value, ...base };
      }),
    ),
  );
}
