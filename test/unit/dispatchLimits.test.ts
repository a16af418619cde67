import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatchAgents } from '../../src/dispatch/dispatchAgents.js';
import { resolveLimits } from '../../src/dispatch/limits.js';
import type { Agent, AgentContext } from '../../src/dispatch/types.js';
import { DispatchQuotaExceeded } from '../../src/errors.js';

const numbers = (n: number) => Array.from({ length: n }, (_, i) => ({ n: i }));
const identity: Agent<number, { n: number }> = (_p, { args }) => args.n;
const tick = () => new Promise((resolve) => setImmediate(resolve));

async function quota(promise: Promise<unknown>): Promise<DispatchQuotaExceeded> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DispatchQuotaExceeded);
  return error as DispatchQuotaExceeded;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('DispatchLimits', () => {
  it('fills every default', () => {
    expect(resolveLimits(undefined)).toEqual({
      maxTotalCostUsd: Number.POSITIVE_INFINITY,
      costPerAgentEstimate: 0,
      maxConcurrent: Number.POSITIVE_INFINITY,
      maxTotalAgents: 10_000,
      maxAgentDurationMs: 60_000,
      maxTotalDurationMs: Number.POSITIVE_INFINITY,
      maxFailureRate: 1,
      minSuccessCount: 0,
      maxDispatchDepth: 5,
    });
  });

  it('names every bad field and its value', () => {
    expect(() => resolveLimits({ maxTotalAgents: 0, maxFailureRate: -1 })).toThrow(
      /`limits\.maxTotalAgents` to be valid .*got `0`.*`limits\.maxFailureRate` to be valid .*got `-1`/,
    );
  });
});

describe('checked before dispatch', () => {
  it('refuses an estimated cost over budget, naming the limit and the numbers; nothing runs', async () => {
    const agent = vi.fn(identity);
    const error = await quota(
      dispatchAgents({
        template: '{{n}}',
        arguments: numbers(10),
        agent,
        limits: { maxTotalCostUsd: 1, costPerAgentEstimate: 0.25 },
      }),
    );
    expect(error.limit).toBe('maxTotalCostUsd');
    expect(error.message).toContain('Estimated cost $2.5000 (10 agents × $0.25');
    expect(agent).not.toHaveBeenCalled();
  });

  it('refuses more agents than maxTotalAgents', async () => {
    const error = await quota(
      dispatchAgents({ template: '{{n}}', arguments: numbers(6), agent: identity, limits: { maxTotalAgents: 5 } }),
    );
    expect(error).toMatchObject({ limit: 'maxTotalAgents' });
    expect(error.message).toBe('Dispatching 6 agents after 0 would exceed `maxTotalAgents` 5');
  });

  it('caps maxParallel at maxConcurrent, for nested dispatches too', async () => {
    let running = 0;
    let peak = 0;
    const leaf: Agent<number> = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await tick();
      running -= 1;
      return 1;
    };
    await dispatchAgents({
      template: '{{n}}',
      arguments: numbers(2),
      maxParallel: 1,
      limits: { maxConcurrent: 2 },
      agent: (_p, ctx) =>
        ctx.dispatchAgents({ template: '{{n}}', arguments: numbers(8), agent: leaf, maxParallel: 50 }),
    });
    expect(peak).toBe(2);
  });
});

describe('nested dispatch', () => {
  it('bounds a recursion bomb by maxDispatchDepth: the deepest dispatch is refused, nothing left running', async () => {
    let agents = 0;
    let running = 0;
    const bomb: Agent<unknown> = async (_p, ctx) => {
      agents += 1;
      running += 1;
      try {
        const inner = await ctx.dispatchAgents({ template: '{{n}}', arguments: numbers(2), agent: bomb });
        const failed = inner.find((r) => !r.success);
        if (failed !== undefined) throw failed.error;
        return inner.map((r) => r.output);
      } finally {
        running -= 1;
      }
    };
    const results = await dispatchAgents({
      template: '{{n}}',
      arguments: numbers(2),
      agent: bomb,
      limits: { maxDispatchDepth: 3 },
    });
    expect(agents).toBe(2 + 4 + 8);
    expect(running).toBe(0);
    expect(results.every((r) => !r.success)).toBe(true);
    expect(results[0]?.error).toBeInstanceOf(DispatchQuotaExceeded);
    expect(results[0]?.error?.message).toBe('Dispatch at depth 4 exceeds `maxDispatchDepth` 3');
  });

  it('shares maxTotalAgents down the tree', async () => {
    let agents = 0;
    const bomb: Agent<unknown> = async (_p, ctx) => {
      agents += 1;
      return ctx.dispatchAgents({ template: '{{n}}', arguments: numbers(3), agent: bomb });
    };
    await dispatchAgents({
      template: '{{n}}',
      arguments: numbers(3),
      agent: bomb,
      limits: { maxTotalAgents: 20, maxDispatchDepth: 10 },
    });
    expect(agents).toBeLessThanOrEqual(20);
  });

  it('passes depth and parent keys down, and refuses tree-wide limits on a nested dispatch', async () => {
    const seen: { depth: number; parent: string | undefined }[] = [];
    const results = await dispatchAgents({
      template: '{{n}}',
      arguments: numbers(1),
      agent: async (_p, ctx) => {
        const inner = await ctx.dispatchAgents({ template: '{{n}}', arguments: numbers(1), agent: identity });
        for (const r of inner) seen.push({ depth: r.depth, parent: r.parentKey });
        await ctx.dispatchAgents({
          template: 'x',
          arguments: [{}] as never,
          agent: identity,
          limits: { maxTotalCostUsd: 5 },
        });
        return 0;
      },
    });
    expect(seen).toEqual([{ depth: 2, parent: results[0]?.idempotencyKey }]);
    expect(results[0]?.error?.message).toContain('`limits.maxTotalCostUsd` is tree-wide');
  });
});

describe('enforced while running', () => {
  it('stops on a budget crossed mid-flight: running agents are cancelled, no new ones start, partial results kept', async () => {
    let started = 0;
    const agent: Agent<number, { n: number }> = async (_p, ctx: AgentContext<{ n: number }>) => {
      started += 1;
      if (ctx.args.n === 2) {
        await tick();
        ctx.addCost(0.75);
        return ctx.args.n;
      }
      ctx.addCost(0.25);
      if (ctx.args.n === 0) return 0;
      return new Promise<number>((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    };
    const error = await quota(
      dispatchAgents({
        template: '{{n}}',
        arguments: numbers(10),
        agent,
        maxParallel: 3,
        limits: { maxTotalCostUsd: 1 },
      }),
    );
    expect(error.limit).toBe('maxTotalCostUsd');
    expect(error.message).toMatch(
      /^Actual cost \$1\.\d{4} crossed `maxTotalCostUsd` \$1: running agents were cancelled$/,
    );
    expect(started).toBeLessThan(10);
    const partial = error.partial as { index: number; success: boolean; costUsd: number }[];
    expect(partial.length).toBe(started);
    expect(partial.find((r) => r.index === 0)).toMatchObject({ success: true, costUsd: 0.25 });
    expect(partial.find((r) => r.index === 2)).toMatchObject({ success: false, costUsd: 0.75 });
  });

  it('shares the cost budget down the tree: a nested agent crossing it stops the root', async () => {
    const error = await quota(
      dispatchAgents({
        template: '{{n}}',
        arguments: numbers(2),
        limits: { maxTotalCostUsd: 1 },
        agent: (_p, ctx) =>
          ctx.dispatchAgents({
            template: '{{n}}',
            arguments: numbers(3),
            agent: (_q, inner) => {
              inner.addCost(0.2);
              return 1;
            },
          }),
      }),
    );
    expect(error.limit).toBe('maxTotalCostUsd');
  });

  it('fails fast once the failure rate can no longer stay under maxFailureRate', async () => {
    const ran: number[] = [];
    const error = await quota(
      dispatchAgents({
        template: '{{n}}',
        arguments: numbers(10),
        maxParallel: 1,
        limits: { maxFailureRate: 0.2 },
        agent: (_p, { args }) => {
          ran.push(args.n);
          if (args.n < 5) throw new Error('broken');
          return args.n;
        },
      }),
    );
    expect(error.limit).toBe('maxFailureRate');
    expect(error.message).toBe('3 of 10 agents failed: more than `maxFailureRate` 0.2 allows');
    expect(ran).toEqual([0, 1, 2]);
    expect(error.partial).toHaveLength(3);
  });

  it('fails with the partial results when minSuccessCount is out of reach', async () => {
    const error = await quota(
      dispatchAgents({
        template: '{{n}}',
        arguments: numbers(4),
        maxParallel: 1,
        limits: { minSuccessCount: 3 },
        agent: (_p, { args }) => {
          if (args.n % 2 === 1) throw new Error('odd');
          return args.n;
        },
      }),
    );
    expect(error.limit).toBe('minSuccessCount');
    expect(error.partial).toHaveLength(4);
  });

  it('stops at maxTotalDurationMs (wall clock), cancelling what runs', async () => {
    vi.useFakeTimers();
    const pending = quota(
      dispatchAgents({
        template: '{{n}}',
        arguments: numbers(5),
        maxParallel: 2,
        limits: { maxTotalDurationMs: 500 },
        agent: (_p, { args, signal }) =>
          args.n === 0
            ? 0
            : new Promise<number>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      }),
    );
    await vi.advanceTimersByTimeAsync(500);
    const error = await pending;
    expect(error.limit).toBe('maxTotalDurationMs');
    expect((error.partial as { success: boolean }[]).map((r) => r.success)).toEqual([true, false, false]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clamps timeoutMs to maxAgentDurationMs', async () => {
    vi.useFakeTimers();
    const pending = dispatchAgents({
      template: 'x',
      arguments: [{}],
      timeoutMs: 10_000,
      limits: { maxAgentDurationMs: 100 },
      agent: () => new Promise(() => undefined),
    });
    await vi.advanceTimersByTimeAsync(100);
    const [result] = await pending;
    expect(result?.error?.message).toContain('did not settle within 100 ms');
  });

  it('spaces agent starts with bottleneck when requestsPerSecond is set', async () => {
    vi.useFakeTimers();
    const starts: number[] = [];
    const pending = dispatchAgents({
      template: '{{n}}',
      arguments: numbers(4),
      maxParallel: 4,
      limits: { requestsPerSecond: 10 },
      agent: (_p, { args }) => {
        starts.push(args.n);
        return args.n;
      },
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(starts.length).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(starts.length).toBe(2);
    await vi.advanceTimersByTimeAsync(500);
    expect((await pending).every((r) => r.success)).toBe(true);
  });
});
