import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatchAgents } from '../../src/dispatch/dispatchAgents.js';
import type { Agent } from '../../src/dispatch/types.js';
import { ConfigError, ToolInputError, type TroupeError } from '../../src/errors.js';
import { FallbackExhaustedError, fallback } from '../../src/policies/fallback.js';
import { PartialSuccessError, partialSuccess } from '../../src/policies/partialSuccess.js';
import { retry } from '../../src/policies/retry.js';

describe('retry policy', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries with backoff until the work succeeds, reporting each retry', async () => {
    const retries: number[] = [];
    const policy = retry({ maxRetries: 3, initialMs: 100, jitter: 0, onRetry: (r) => retries.push(r.delayMs) });
    let calls = 0;
    const result = policy.run(async (_signal, attempt) => {
      calls += 1;
      if (attempt < 3) throw new Error(`flaky ${attempt}`);
      return 'done';
    });
    await vi.runAllTimersAsync();
    expect(await result).toBe('done');
    expect(calls).toBe(3);
    expect(retries).toEqual([100, 200]);
  });

  it('throws the last error once retries run out, and bad input at once', async () => {
    const policy = retry({ maxRetries: 1, initialMs: 10 });
    const failing = policy.run(async () => {
      throw new Error('still down');
    });
    const caught = failing.catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await caught).toEqual(new Error('still down'));
    let calls = 0;
    const bad = retry({ maxRetries: 5 }).run(async () => {
      calls += 1;
      throw new ToolInputError('t', 'bad input');
    });
    await expect(bad).rejects.toBeInstanceOf(ToolInputError);
    expect(calls).toBe(1);
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    const run = retry({ initialMs: 1_000, signal: controller.signal }).run(async () => {
      throw new Error('x');
    });
    const caught = run.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect((await caught) as TroupeError).toMatchObject({ code: 'RUN_CANCELLED' });
  });

  it('rejects nonsense options naming the value', () => {
    expect(() => retry({ maxRetries: -2 })).toThrow('retry: expected `maxRetries` to be an integer ≥ 0, got `-2`');
  });
});

describe('fallback policy', () => {
  it('uses the next alternative when one fails, and says which was used', async () => {
    const moves: string[] = [];
    const result = await fallback(
      [
        { name: 'primary', run: () => Promise.reject(new Error('503')) },
        { name: 'mirror', run: async () => 'from mirror' },
        { name: 'cache', run: async () => 'from cache' },
      ],
      { onFallback: (f) => moves.push(`${f.from}→${f.to}`) },
    );
    expect(result).toEqual({ value: 'from mirror', used: 'mirror' });
    expect(moves).toEqual(['primary→mirror']);
  });

  it('fails with every failure listed when the fallback fails too', async () => {
    const error = await fallback([
      { name: 'primary', run: () => Promise.reject(new Error('503')) },
      { name: 'backup', run: () => Promise.reject(new Error('timeout')) },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FallbackExhaustedError);
    expect((error as FallbackExhaustedError).failures.map((f) => f.name)).toEqual(['primary', 'backup']);
    expect((error as Error).message).toBe('Every alternative failed (`primary`: 503; `backup`: timeout)');
  });

  it('stops at an error fallbackIf refuses', async () => {
    let tried = false;
    const bad = new ToolInputError('t', 'bad');
    const run = fallback(
      [
        { name: 'a', run: () => Promise.reject(bad) },
        {
          name: 'b',
          run: async () => {
            tried = true;
            return 1;
          },
        },
      ],
      { fallbackIf: (e) => !(e instanceof ToolInputError) },
    );
    await expect(run).rejects.toBe(bad);
    expect(tried).toBe(false);
  });

  it('rejects an empty or malformed list', async () => {
    await expect(fallback([])).rejects.toBeInstanceOf(ConfigError);
    await expect(fallback([{ name: 'x' } as never])).rejects.toThrow('`alternatives[0]`');
  });
});

describe('partialSuccess policy', () => {
  const settled = (pattern: string): PromiseSettledResult<number>[] =>
    [...pattern].map((c, i) =>
      c === 'y' ? { status: 'fulfilled', value: i } : { status: 'rejected', reason: new Error(`no ${i}`) },
    );

  it('continues with what succeeded and records what did not', () => {
    const outcome = partialSuccess(settled('yynyy'), { atLeastRatio: 0.8 });
    expect(outcome.succeeded.map((s) => s.index)).toEqual([0, 1, 3, 4]);
    expect(outcome.failed).toEqual([{ index: 2, error: new Error('no 2') }]);
    expect(outcome.ratio).toBe(0.8);
  });

  it('throws PartialSuccessError, still holding both lists, when too few succeeded', () => {
    const error = (() => {
      try {
        partialSuccess(settled('ynnny'), { atLeast: 3 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PartialSuccessError);
    expect((error as Error).message).toContain('Only 2 of 5 succeeded; at least 3 were required');
    expect((error as PartialSuccessError).outcome.failed).toHaveLength(3);
  });

  it('reads dispatch results ({ success, output, error }) as well', () => {
    const outcome = partialSuccess(
      [
        { success: true, output: 'a' },
        { success: false, error: new Error('timeout') },
        { success: true, output: 'c' },
      ],
      { atLeast: 2 },
    );
    expect(outcome.succeeded).toEqual([
      { index: 0, value: 'a' },
      { index: 2, value: 'c' },
    ]);
    expect(outcome.failed).toEqual([{ index: 1, error: new Error('timeout') }]);
  });

  it('serves as the aggregate of a dispatch, continuing with the agents that succeeded', async () => {
    const agent: Agent<number, { n: number }> = (_prompt, { args }) => {
      if (args.n === 2) throw new Error('agent 2 crashed');
      return args.n * 10;
    };
    const outcome = await dispatchAgents({
      template: 'work on {{n}}',
      arguments: [0, 1, 2, 3].map((n) => ({ n })),
      agent,
      aggregate: (results) => partialSuccess(results, { atLeastRatio: 0.75 }),
    });
    expect(outcome.succeeded.map((s) => s.value)).toEqual([0, 10, 30]);
    expect(outcome.failed.map((f) => f.index)).toEqual([2]);
  });

  it('accepts an empty batch by default', () => {
    expect(partialSuccess([])).toEqual({ succeeded: [], failed: [], ratio: 1 });
  });

  it.each([
    [{ atLeast: -1 }, '`atLeast`', '-1'],
    [{ atLeastRatio: 1.5 }, '`atLeastRatio`', '1.5'],
    [{ atLeastRatio: Number.NaN }, '`atLeastRatio`', 'NaN'],
  ])('rejects %o naming the value', (config, option, shown) => {
    expect(() => partialSuccess(settled('y'), config)).toThrow(`expected ${option}`);
    expect(() => partialSuccess(settled('y'), config)).toThrow(`got \`${shown}\``);
  });
});
