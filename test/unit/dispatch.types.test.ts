import { from, lastValueFrom } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { dispatchAgents } from '../../src/dispatch/dispatchAgents.js';
import { dispatch$ } from '../../src/dispatch/dispatchStream.js';
import type { Agent, SubAgentResult } from '../../src/dispatch/types.js';
import { bestResult } from '../../src/streams/bestResult.js';
import { collectAll } from '../../src/streams/collectAll.js';
import { majorityVote, type VoteResult } from '../../src/streams/majorityVote.js';
import { rankBy } from '../../src/streams/rankBy.js';

const score: Agent<{ score: number; label: string }, { text: string }> = (_p, { args }) => ({
  score: args.text.length,
  label: args.text,
});
const options = { template: 'Rate {{text}}', arguments: [{ text: 'a' }], agent: score };

describe('dispatchAgents types', () => {
  it('resolves with typed results by default', () => {
    expectTypeOf(dispatchAgents(options)).resolves.toEqualTypeOf<
      SubAgentResult<{ score: number; label: string }, { text: string }>[]
    >();
  });

  it('types the parameter of an aggregate function from the agent', () => {
    const total = dispatchAgents({
      ...options,
      aggregate: (results) => {
        expectTypeOf(results[0]?.output).toEqualTypeOf<{ score: number; label: string } | undefined>();
        return results.length;
      },
    });
    expectTypeOf(total).resolves.toEqualTypeOf<number>();
  });

  it('keeps the result type, args and output, through every aggregation operator', () => {
    type Scored = SubAgentResult<{ score: number; label: string }, { text: string }>;
    expectTypeOf(dispatchAgents({ ...options, aggregate: rankBy('score') })).resolves.toEqualTypeOf<Scored[]>();
    expectTypeOf(dispatchAgents({ ...options, aggregate: collectAll() })).resolves.toEqualTypeOf<Scored[]>();
    expectTypeOf(
      dispatchAgents({
        ...options,
        aggregate: bestResult((r: SubAgentResult<{ score: number }>) => r.output?.score ?? 0),
      }),
    ).resolves.toEqualTypeOf<Scored | undefined>();
    expectTypeOf(
      dispatchAgents({ ...options, aggregate: rankBy((r: SubAgentResult<{ score: number }>) => r.output?.score) }),
    ).resolves.toEqualTypeOf<Scored[]>();
  });

  it('gives the winner of a vote its field type', () => {
    expectTypeOf(dispatchAgents({ ...options, aggregate: majorityVote('label') })).resolves.toEqualTypeOf<
      VoteResult<string>
    >();
    expectTypeOf(
      dispatchAgents({
        ...options,
        aggregate: majorityVote((r: SubAgentResult<{ score: number }>) => r.output?.score),
      }),
    ).resolves.toEqualTypeOf<VoteResult<number>>();
  });

  it('keeps the result type when piped over dispatch$', () => {
    const ranked = lastValueFrom(dispatch$(options).pipe(rankBy('score')));
    expectTypeOf(ranked).resolves.toEqualTypeOf<SubAgentResult<{ score: number; label: string }, { text: string }>[]>();
    const rows = from([{ index: 0, success: true, output: { verdict: 'yes' as const } }]);
    expectTypeOf(lastValueFrom(rows.pipe(majorityVote('verdict')))).resolves.toEqualTypeOf<VoteResult<'yes'>>();
  });

  it('refuses field names the output does not have, or of the wrong type', () => {
    // @ts-expect-error `scroe` is not a field of the agent's output
    dispatchAgents({ ...options, aggregate: rankBy('scroe') });
    // @ts-expect-error `label` is a string, not a rank key
    dispatchAgents({ ...options, aggregate: rankBy('label') });
    // @ts-expect-error `lable` is not a field of the agent's output
    dispatchAgents({ ...options, aggregate: majorityVote('lable') });
    // @ts-expect-error `scroe` is not a field of the piped results' output
    dispatch$(options).pipe(rankBy('scroe'));
  });
});
