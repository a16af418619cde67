import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/errors.js';
import { budgetPolicy } from '../../src/judge/budgetPolicy.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { createGlobalState, type StateChange } from '../../src/state/globalState.js';
import { defineTool } from '../../src/tools/defineTool.js';

const twoWriters = scriptedModel({
  plan: () => ({
    tasks: [
      { id: 'ai', description: 'Research AI', kind: 'processing' as const },
      { id: 'rust', description: 'Research Rust', kind: 'processing' as const },
    ],
  }),
  process: (task) => `notes on ${task.id}`,
});

describe('global state with optimistic concurrency in a run', () => {
  it('lands both writers on one key: the stale one records OCCConflict, re-reads and re-applies', async () => {
    const log = memoryLog();
    const globalState = createGlobalState();
    // Both writers read before either commits: a barrier makes the conflict certain.
    let reading = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runtime = createRuntime({
      model: twoWriters,
      log,
      globalState,
      commit: ({ taskId, output }) => [
        {
          key: 'topics',
          apply: async (current: readonly string[] | undefined) => {
            reading += 1;
            if (reading === 2) release();
            if (reading <= 2) await bothRead;
            return [...(current ?? []), `${taskId}:${String(output)}`];
          },
        },
      ],
    });
    const handle = runtime.run('research');
    expect((await handle.result).status).toBe('completed');
    const { value, version } = globalState.read<string[]>('topics');
    expect(version).toBe(2);
    expect([...(value ?? [])].sort()).toEqual(['ai:notes on ai', 'rust:notes on rust']);
    const events = await log.read(handle.runId);
    const conflicts = events.filter((e) => e.type === 'state.conflicted');
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ key: 'topics', expectedVersion: 0, actualVersion: 1, attempt: 1 });
    // State changes are events: replaying them rebuilds the same state.
    const changes = events.filter((e) => e.type === 'state.committed') as unknown as StateChange[];
    expect(createGlobalState(changes).entries()).toEqual(globalState.entries());
    await runtime.close();
  });

  it('fails the task with OCCConflict when the conflicts exceed maxConflicts', async () => {
    const globalState = createGlobalState();
    const runtime = createRuntime({
      model: twoWriters,
      globalState,
      maxConflicts: 0,
      commit: () => [
        {
          key: 'k',
          apply: (n: number | undefined) => {
            // Someone else always writes in between.
            const { version } = globalState.read('k');
            globalState.commit({ key: 'k', expectedVersion: version, value: -1 });
            return (n ?? 0) + 1;
          },
        },
      ],
    });
    const result = await runtime.run('research').result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('OCC_CONFLICT');
    await runtime.close();
  });

  it('refuses swarm options that do not fit together', () => {
    expect(() => createRuntime({ commit: () => [] })).toThrow(ConfigError);
    expect(() => createRuntime({ commit: () => [] })).toThrow(/Expected `globalState` when `commit` is set/);
    expect(() => createRuntime({ globalState: createGlobalState(), maxConflicts: -1 })).toThrow(/maxConflicts/);
    expect(() => createRuntime({ budget: {} as never })).toThrow(/Expected `budget` to be a budget policy/);
  });
});

const pay = defineTool({
  name: 'pay',
  description: 'Pays a counterparty',
  input: z.object({ amountUsd: z.number(), counterparty: z.string() }),
  capabilities: ['payment'],
  run: ({ amountUsd, counterparty }) => `paid ${amountUsd} to ${counterparty}`,
});

function payments(...list: { id: string; amountUsd: number; counterparty: string }[]) {
  return scriptedModel({
    plan: () => ({
      tasks: list.map(({ id, ...input }) => ({
        id,
        description: `Pay ${id}`,
        kind: 'tool_call' as const,
        tool: 'pay',
        input,
      })),
    }),
  });
}

const policy = { perTaskUsd: 50, perRunUsd: 60, perDayUsd: 1_000, reviewAboveUsd: 20, counterparties: ['acme'] };

describe('budget judge in a run', () => {
  it('records allowed spends, holds a spend above the threshold for review, and runs the tool once approved', async () => {
    const log = memoryLog();
    const budget = budgetPolicy(policy);
    const runtime = createRuntime({
      model: payments(
        { id: 'small', amountUsd: 10, counterparty: 'acme' },
        { id: 'big', amountUsd: 30, counterparty: 'acme' },
      ),
      tools: [pay],
      log,
      budget,
    });
    const handle = runtime.run('pay the invoices');
    const requested = await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'review.requested')));
    expect(requested).toMatchObject({ taskId: 'big', kind: 'budget', amountUsd: 30 });
    const [review] = await runtime.reviews.list();
    expect(review).toMatchObject({
      kind: 'budget',
      reasons: ['Spend of $30.00 is above the review threshold of $20.00'],
    });
    await runtime.reviews.approve(review?.id ?? '');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => t.output)).toEqual(['paid 10 to acme', 'paid 30 to acme']);
    const spent = (await log.read(handle.runId)).filter((e) => e.type === 'budget.spent');
    expect(spent.map((e) => [e.taskId, e.amountUsd, e.counterparty])).toEqual([
      ['small', 10, 'acme'],
      ['big', 30, 'acme'],
    ]);
    expect((await runtime.replay(handle.runId)).spentUsd).toBe(40);
    expect(budget.spentOnDay()).toBe(40);
    await runtime.close();
  });

  it('rejects a spend over the run limit with the numbers, without retrying or calling the tool', async () => {
    let calls = 0;
    const counted = defineTool({ ...pay, name: 'pay', capabilities: ['payment'], run: () => `call ${++calls}` });
    const runtime = createRuntime({
      model: payments({ id: 'first', amountUsd: 15, counterparty: 'acme' }),
      tools: [counted],
      budget: budgetPolicy({ ...policy, perRunUsd: 10 }),
    });
    const result = await runtime.run('pay').result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('BUDGET_EXCEEDED');
    expect(result.error?.message).toContain('would bring the run to $15.00, over its limit of $10.00');
    expect(result.tasks[0]?.attempts).toBe(1);
    expect(calls).toBe(0);
    await runtime.close();
  });

  it('rejects a payment to a counterparty off the allow-list, and a rejected budget review fails the task', async () => {
    const off = createRuntime({
      model: payments({ id: 'x', amountUsd: 1, counterparty: 'mallory' }),
      tools: [pay],
      budget: budgetPolicy(policy),
    });
    const refused = await off.run('pay').result;
    expect(refused.error?.message).toContain('Counterparty `mallory` is not on the allow-list');
    await off.close();

    const runtime = createRuntime({
      model: payments({ id: 'big', amountUsd: 30, counterparty: 'acme' }),
      tools: [pay],
      budget: budgetPolicy(policy),
    });
    const handle = runtime.run('pay');
    const { reviewId } = (await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'review.requested')))) as {
      reviewId: string;
    };
    await runtime.reviews.reject(reviewId, 'not this month');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'BUDGET_REJECTED' });
    expect(result.error?.message).toContain('not this month');
    await runtime.close();
  });
});
