import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dispatchTool } from '../../src/dispatch/dispatchTool.js';
import type { Agent } from '../../src/dispatch/types.js';
import type { EventOf } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';

const square: Agent<number, { n: number }> = async (_p, ctx) => {
  if (ctx.args.n > 2 && ctx.depth === 1) {
    const [half] = await ctx.dispatchAgents({
      template: 'square {{n}}',
      arguments: [{ n: ctx.args.n - 1 }],
      agent: square,
    });
    return (half?.output ?? 0) + 2 * ctx.args.n - 1;
  }
  return ctx.args.n * ctx.args.n;
};

const squares = dispatchTool({
  name: 'squares',
  description: 'Squares each number with one sub-agent per number',
  template: 'square {{n}}',
  argument: z.object({ n: z.number().int() }),
  agent: square,
  maxParallel: 4,
});

function planWith(input: unknown) {
  return scriptedModel({
    plan: () => ({ tasks: [{ id: 'fan', description: 'square numbers', kind: 'tool_call', tool: 'squares', input }] }),
    synthesize: (_goal, results) => JSON.stringify(results[0]?.output),
  });
}

describe('a dispatch as a Planner task', () => {
  it('records every sub-agent, nested ones too, in the run log with the task as cause', async () => {
    const log = memoryLog();
    const runtime = createRuntime({
      log,
      model: planWith({ arguments: [{ n: 1 }, { n: 2 }, { n: 3 }] }),
      tools: [squares],
    });
    const result = await runtime.run('square 1, 2 and 3').result;
    expect(result.error?.message).toBeUndefined();
    expect(result.status).toBe('completed');
    const outputs = (result.tasks[0]?.output as { output: number }[] | undefined)?.map((r) => r.output);
    expect(outputs).toEqual([1, 4, 9]);

    const events = await log.read(result.runId);
    const started = events.find((e) => e.type === 'task.started');
    const subagents = events.filter((e): e is EventOf<'subagent.completed'> => e.type === 'subagent.completed');
    expect(subagents).toHaveLength(4);
    expect(subagents.every((e) => e.taskId === 'fan' && e.causationId === started?.id)).toBe(true);
    const nested = subagents.find((e) => e.depth === 2);
    const parent = subagents.find((e) => e.depth === 1 && (e.args as { n: number }).n === 3);
    expect(nested?.parentKey).toBe(parent?.idempotencyKey);
    const completed = events.findIndex((e) => e.type === 'task.completed');
    expect(events.findLastIndex((e) => e.type === 'subagent.completed')).toBeLessThan(completed);
    await runtime.close();
  });

  it('refuses bad dispatch input in the plan, before any sub-agent runs', async () => {
    const log = memoryLog();
    const runtime = createRuntime({ log, model: planWith({ arguments: [] }), tools: [squares] });
    const result = await runtime.run('square nothing').result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('PLAN_INVALID');
    expect(result.error?.message).toContain('arguments');
    expect((await log.read(result.runId)).some((e) => e.type === 'subagent.completed')).toBe(false);
    await runtime.close();
  });
});
