import fc from 'fast-check';
import { from, lastValueFrom, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ResultLike } from '../../src/streams/asAggregate.js';
import { bestResult } from '../../src/streams/bestResult.js';
import { collectAll } from '../../src/streams/collectAll.js';
import { majorityVote } from '../../src/streams/majorityVote.js';
import { rankBy } from '../../src/streams/rankBy.js';

type R = ResultLike<{ answer: string; score: number; ms: number }>;

const ok = (index: number, answer: string, score: number, ms = 0): R => ({
  index,
  output: { answer, score, ms },
  success: true,
});
const failed = (index: number): R => ({ index, output: undefined, success: false });

const run = <T>(results: R[], op: OperatorFunction<R, T>) => lastValueFrom(from(results).pipe(op));

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const resultsArb = fc
  .array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 5 })), { maxLength: 30 })
  .map((rows) => rows.map(([good, answer, score], i) => (good ? ok(i, answer, score, 10 - score) : failed(i))));

describe('collectAll', () => {
  it('collects every result, failed ones included, in argument order', async () => {
    expect((await run([ok(2, 'x', 1), failed(0), ok(1, 'y', 2)], collectAll())).map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it('emits an empty array for an empty stream', async () => {
    expect(await run([], collectAll())).toEqual([]);
  });
});

describe('rankBy', () => {
  it('ranks by an output field, highest first, failed results kept last', async () => {
    const ranked = await run([ok(0, 'a', 1), failed(1), ok(2, 'b', 3), ok(3, 'c', 2)], rankBy('score'));
    expect(ranked.map((r) => r.index)).toEqual([2, 3, 0, 1]);
  });

  it('ranks by a function of several keys (correctness, then speed) in ascending order when asked', async () => {
    const rows = [ok(0, 'a', 1, 50), ok(1, 'b', 2, 90), ok(2, 'c', 2, 10)];
    const desc = await run(
      rows,
      rankBy((r: R) => [r.output?.score ?? 0, -(r.output?.ms ?? 0)]),
    );
    expect(desc.map((r) => r.index)).toEqual([2, 1, 0]);
    const asc = await run(rows, rankBy('ms', { order: 'asc' }));
    expect(asc.map((r) => r.index)).toEqual([2, 0, 1]);
  });

  it('refuses a bad field or order', () => {
    expect(() => rankBy('' as never)).toThrow('Expected `rankBy` to get an output field name or a function');
    expect(() => rankBy('score', { order: 'up' as never })).toThrow("to be 'asc' or 'desc', got `up`");
  });

  it('does not depend on arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(resultsArb, fc.integer(), async (rows, seed) => {
        const a = await run(rows, rankBy('score'));
        const b = await run(shuffled(rows, seed), rankBy('score'));
        expect(b.map((r) => r.index)).toEqual(a.map((r) => r.index));
      }),
      { numRuns: 100 },
    );
  });
});

describe('majorityVote', () => {
  it('names the winner with more than half of the votes cast; failures abstain', async () => {
    const vote = await run([ok(0, 'a', 0), ok(1, 'a', 0), ok(2, 'b', 0), failed(3)], majorityVote('answer'));
    expect(vote).toMatchObject({ outcome: 'majority', winner: 'a', votes: 2, cast: 3, abstained: 1 });
    expect(vote.ballots[0]).toEqual({ value: 'a', votes: 2, indexes: [0, 1] });
  });

  it('reports a tie explicitly, listing the tied answers', async () => {
    const vote = await run([ok(0, 'a', 0), ok(1, 'b', 0), ok(2, 'b', 0), ok(3, 'a', 0)], majorityVote('answer'));
    expect(vote).toMatchObject({ outcome: 'tie', tied: ['a', 'b'], votes: 2, cast: 4 });
  });

  it('reports no quorum when the top answer has too few votes, or nobody voted', async () => {
    const spread = [ok(0, 'a', 0), ok(1, 'a', 0), ok(2, 'b', 0), ok(3, 'c', 0)];
    expect(await run(spread, majorityVote('answer'))).toMatchObject({ outcome: 'no_quorum', votes: 2, cast: 4 });
    expect(await run(spread, majorityVote('answer', { quorum: 0.4 }))).toMatchObject({ outcome: 'majority' });
    expect(await run([failed(0)], majorityVote('answer'))).toMatchObject({ outcome: 'no_quorum', cast: 0 });
  });

  it('counts structurally equal answers as one, whatever their key order', async () => {
    const rows: ResultLike<{ v: unknown }>[] = [
      { index: 0, success: true, output: { v: { x: 1, y: 2 } } },
      { index: 1, success: true, output: { v: { y: 2, x: 1 } } },
    ];
    const vote = await lastValueFrom(from(rows).pipe(majorityVote('v')));
    expect(vote).toMatchObject({ outcome: 'majority', votes: 2 });
  });

  it('refuses a quorum outside [0, 1)', () => {
    expect(() => majorityVote('answer', { quorum: 1 })).toThrow('in [0, 1), got `1`');
  });

  it('does not depend on arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(resultsArb, fc.integer(), async (rows, seed) => {
        expect(await run(shuffled(rows, seed), majorityVote('answer'))).toEqual(
          await run(rows, majorityVote('answer')),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('bestResult', () => {
  it('picks the highest score among successes, the lower index on ties', async () => {
    const best = await run(
      [ok(0, 'a', 1), ok(1, 'b', 3), failed(2), ok(3, 'c', 3)],
      bestResult((r: R) => r.output?.score ?? 0),
    );
    expect(best?.index).toBe(1);
  });

  it('emits undefined when nothing succeeded or every score is NaN', async () => {
    expect(
      await run(
        [failed(0)],
        bestResult(() => 1),
      ),
    ).toBeUndefined();
    expect(
      await run(
        [ok(0, 'a', 1)],
        bestResult(() => Number.NaN),
      ),
    ).toBeUndefined();
  });

  it('refuses a score that is not a function', () => {
    expect(() => bestResult('score' as never)).toThrow('Expected `bestResult` to get a score function');
  });

  it('does not depend on arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(resultsArb, fc.integer(), async (rows, seed) => {
        const score = (r: R) => r.output?.score ?? 0;
        expect((await run(shuffled(rows, seed), bestResult(score)))?.index).toBe(
          (await run(rows, bestResult(score)))?.index,
        );
      }),
      { numRuns: 100 },
    );
  });
});
