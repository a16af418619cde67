import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { dispatchAgents } from '../../src/dispatch/dispatchAgents.js';
import type { Agent } from '../../src/dispatch/types.js';

const leaf: Agent<string, { n: number }> = (_prompt, { args }) => `leaf ${args.n}`;

describe('an agent context taken apart', () => {
  it('keeps every function working when destructured, as the README writes agents', async () => {
    const agent: Agent<string[], { n: number }> = async (
      _prompt,
      { signal, addCost, dispatchAgents: nested, dispatch$, idempotencyKey, depth, args },
    ) => {
      expect(signal.aborted).toBe(false);
      expect(idempotencyKey).toMatch(/\w/);
      expect(depth).toBe(1);
      addCost(0.25);
      const viaPromise = await nested({ template: 'leaf {{n}}', arguments: [{ n: args.n }], agent: leaf });
      const viaStream = await lastValueFrom(
        dispatch$({ template: 'leaf {{n}}', arguments: [{ n: args.n + 10 }], agent: leaf }).pipe(toArray()),
      );
      return [...viaPromise, ...viaStream].map((r) => r.output as string);
    };
    const results = await dispatchAgents({ template: 'root {{n}}', arguments: [{ n: 1 }, { n: 2 }], agent });
    expect(results.map((r) => r.error?.message)).toEqual([undefined, undefined]);
    expect(results.map((r) => r.output)).toEqual([
      ['leaf 1', 'leaf 11'],
      ['leaf 2', 'leaf 12'],
    ]);
    expect(results.map((r) => r.costUsd)).toEqual([0.25, 0.25]);
  });
});
