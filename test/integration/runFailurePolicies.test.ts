import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TroupeError } from '../../src/errors.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import type { PlanRequest } from '../../src/model/Model.js';
import { type ScriptedPlan, scriptedModel } from '../../src/model/scriptedModel.js';
import type { TaskFailurePolicy } from '../../src/run/state.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { eventsOf, nextEvent, typesOf } from './support.js';

const broken = defineTool({
  name: 'broken',
  description: 'always fails',
  input: z.object({}),
  run: () => {
    throw new TroupeError('TOOL_FAILED', 'the service is down');
  },
});
const backup = defineTool({
  name: 'backup',
  description: 'a backup source',
  input: z.object({}),
  run: () => 'from backup',
});

/** `fetch` fails for good; `summary` needs it; `ask` is a clarification left open meanwhile. */
const plan = {
  tasks: [
    { id: 'fetch', description: 'fetch data', kind: 'tool_call' as const, tool: 'broken', input: {} },
    { id: 'summary', description: 'summarise the data', kind: 'processing' as const, dependsOn: ['fetch'] },
    { id: 'ask', description: 'ask the tone', kind: 'clarification' as const, input: { question: 'Which tone?' } },
  ],
};

function setup(onTaskFailure: TaskFailurePolicy, revise?: (request: PlanRequest) => ScriptedPlan) {
  const model = scriptedModel({
    plan: (_goal, request) => (request.revision === undefined ? plan : (revise?.(request) ?? 'no revision')),
  });
  const log = memoryLog();
  const runtime = createRuntime({
    log,
    model,
    tools: [broken, backup],
    retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
    onTaskFailure,
  });
  return { log, runtime };
}

async function runUntilOpen(runtime: ReturnType<typeof setup>['runtime']) {
  const handle = runtime.run('summarise the data in a tone I choose');
  await nextEvent(handle.events$, 'task.clarification_requested');
  return handle;
}

describe('a task that fails for good, with a clarification open elsewhere', () => {
  it('fail-run: the run fails with the task’s error, cancelling the open clarification', async () => {
    const { runtime } = setup('fail-run');
    const handle = await runUntilOpen(runtime);
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.message).toBe('Task `fetch` failed: the service is down');
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['fetch', 'failed'],
      ['summary', 'planned'],
      ['ask', 'failed'],
    ]);
    expect(result.tasks.find((t) => t.id === 'ask')?.error?.code).toBe('RUN_CANCELLED');
    await runtime.close();
  });

  it('continue: dependents are skipped naming the failure; the clarification goes on; the run completes with partial results', async () => {
    const { log, runtime } = setup('continue');
    const handle = await runUntilOpen(runtime);
    await nextEvent(handle.events$, 'task.skipped');
    await handle.answer('ask', 'playful');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    if (result.status !== 'completed') return;
    expect(result.answer).toBe('ask: playful');
    expect(result.failed.map((t) => [t.id, t.error.message])).toEqual([['fetch', 'the service is down']]);
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['fetch', 'failed'],
      ['summary', 'skipped'],
      ['ask', 'completed'],
    ]);
    expect(await eventsOf(log, handle.runId, 'task.skipped')).toMatchObject([
      { taskId: 'summary', dependency: 'fetch' },
    ]);
    await runtime.close();
  });

  it('continue: the run fails when no task completed', async () => {
    const { runtime } = setup('continue');
    const handle = await runUntilOpen(runtime);
    await handle.cancel('nobody answers');
    const solo = createRuntime({
      model: scriptedModel({ plan: () => ({ tasks: plan.tasks.slice(0, 2) }) }),
      tools: [broken],
      retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
      onTaskFailure: 'continue',
    });
    const result = await solo.run('fetch and summarise').result;
    expect(result.status).toBe('failed');
    expect(result.error?.message).toBe(
      'No task completed, so the run has no result: Task `fetch` failed: the service is down',
    );
    await Promise.all([runtime.close(), solo.close()]);
  });

  it('replan: the model revises the tasks not started; the clarification goes on; the run completes', async () => {
    const asked: PlanRequest[] = [];
    const { log, runtime } = setup('replan', (request) => {
      asked.push(request);
      return {
        tasks: [
          { id: 'fetch2', description: 'fetch from the backup', kind: 'tool_call', tool: 'backup', input: {} },
          { id: 'summary', description: 'summarise the backup data', kind: 'processing', dependsOn: ['fetch2'] },
        ],
      };
    });
    const handle = await runUntilOpen(runtime);
    const revised = await nextEvent(handle.events$, 'plan.revised');
    expect(revised).toMatchObject({
      revision: 1,
      reason: 'Task `fetch` failed: TOOL_FAILED: the service is down',
      dropped: [],
    });
    expect(asked[0]?.revision?.tasks.map((t) => [t.id, t.status])).toEqual([
      ['fetch', 'failed'],
      ['summary', 'planned'],
      ['ask', 'needs_clarification'],
    ]);
    await handle.answer('ask', 'formal');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => [t.id, t.status, t.output])).toEqual([
      ['fetch', 'failed', undefined],
      ['summary', 'completed', 'Done: summarise the backup data'],
      ['ask', 'completed', 'formal'],
      ['fetch2', 'completed', 'from backup'],
    ]);
    const replayed = await runtime.replay(handle.runId);
    expect([...replayed.tasks.keys()]).toEqual(['fetch', 'summary', 'ask', 'fetch2']);
    expect(await typesOf(log, handle.runId)).toContain('plan.revised');
    await runtime.close();
  });

  it('replan: an invalid revision is re-asked with the reasons, then the run fails with them', async () => {
    const feedback: (string | undefined)[] = [];
    const { log, runtime } = setup('replan', (request) => {
      feedback.push(request.feedback);
      return { tasks: [{ id: 'again', description: 'use the summary', kind: 'processing', dependsOn: ['ghost'] }] };
    });
    const handle = await runUntilOpen(runtime);
    const result = await handle.result;
    expect(result.status).toBe('failed');
    const reason = 'task `again` depends on `ghost`, which is not in the plan';
    expect(result.error?.message).toContain(reason);
    const rejected = await eventsOf(log, handle.runId, 'plan.rejected');
    expect(rejected.map((e) => [e.attempt, e.revision])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(feedback[0]).toBeUndefined();
    expect(feedback[1]).toContain(reason);
    expect(result.tasks.find((t) => t.id === 'ask')?.error?.code).toBe('RUN_CANCELLED');
    await runtime.close();
  });
});
