import { describe, expectTypeOf, it } from 'vitest';
import { dispatchAgents } from '../../src/dispatch/dispatchAgents.js';
import type { Agent, SubAgentResult } from '../../src/dispatch/types.js';
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

  it('takes an aggregation operator, checking output field names', () => {
    expectTypeOf(dispatchAgents({ ...options, aggregate: majorityVote('label') })).resolves.toMatchTypeOf<
      VoteResult<unknown>
    >();
    expectTypeOf(dispatchAgents({ ...options, aggregate: rankBy('score') })).resolves.toBeArray();
  });
});
