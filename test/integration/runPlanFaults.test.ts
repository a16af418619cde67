import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TroupeError } from '../../src/errors.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import type { PlanRequest } from '../../src/model/Model.js';
import { type ScriptedPlan, scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { eventsOf, fastRetry, typesOf } from './support.js';

const post = defineTool({
  name: 'post',
  description: 'Posts a short text',
  input: z.object({ text: z.string().min(1).max(20) }),
  run: ({ text }) => ({ posted: text }),
});

/** A runtime whose model plans with `plans[attempt - 1]` (the last one repeats), recording each request. */
function planning(plans: ScriptedPlan[], maxPlanAttempts = 3) {
  const requests: PlanRequest[] = [];
  const log = memoryLog();
  const model = scriptedModel({
    plan: (_goal, request) => {
      requests.push(request);
      return plans[Math.min(request.attempt, plans.length) - 1] as ScriptedPlan;
    },
  });
  const runtime = createRuntime({ log, model, tools: [post], maxPlanAttempts, retry: fastRetry });
  return { log, runtime, requests };
}

const cycle: ScriptedPlan = {
  tasks: [
    { id: 'a', description: 'a', kind: 'processing', dependsOn: ['b'] },
    { id: 'b', description: 'b', kind: 'processing', dependsOn: ['a'] },
  ],
};
const dangling: ScriptedPlan = { tasks: [{ id: 'a', description: 'a', kind: 'processing', dependsOn: ['ghost'] }] };
const unknownTool: ScriptedPlan = { tasks: [{ id: 'a', description: 'a', kind: 'tool_call', tool: 'fax', input: {} }] };
const badInput: ScriptedPlan = {
  tasks: [{ id: 'a', description: 'a', kind: 'tool_call', tool: 'post', input: { text: '' } }],
};
const good: ScriptedPlan = {
  tasks: [{ id: 'a', description: 'a', kind: 'tool_call', tool: 'post', input: { text: 'hi' } }],
};

describe('goals that cannot start a run', () => {
  it.each([
    ['an empty goal', '', 'Expected `goal` to be a non-empty string, got `""`'],
    ['a blank goal', '  \n ', 'Expected `goal` to be a non-empty string'],
    ['a goal that is not a string', 42, 'got `42`'],
    ['an oversized goal', 'x'.repeat(101), 'Expected `goal` to be at most 100 characters (maxGoalLength), got 101'],
  ])('%s throws GOAL_INVALID and records nothing', async (_what, goal, message) => {
    const log = memoryLog();
    const runtime = createRuntime({ log, maxGoalLength: 100 });
    let thrown: unknown;
    try {
      runtime.run(goal as string);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TroupeError);
    expect(thrown).toMatchObject({ code: 'GOAL_INVALID' });
    expect((thrown as Error).message).toContain(message);
    expect(await log.runs()).toEqual([]);
    await runtime.close();
  });

  it('accepts a goal of exactly maxGoalLength characters', async () => {
    const runtime = createRuntime({ maxGoalLength: 10 });
    expect((await runtime.run('x'.repeat(10)).result).status).toBe('completed');
    await runtime.close();
  });
});

describe('plans the model gets wrong', () => {
  it.each([
    ['a cycle', cycle, 'tasks `a`, `b` form a dependency cycle'],
    ['a dangling dependency', dangling, 'task `a` depends on `ghost`, which is not in the plan'],
    ['an unknown tool', unknownTool, 'task `a` calls unknown tool `fax` (registered: post)'],
    ['tool input failing its schema', badInput, 'task `a` gives `post` invalid input: text: '],
  ])(
    '%s: re-asked up to maxPlanAttempts with feedback, then the run fails PLAN_INVALID',
    async (_what, plan, issue) => {
      const { log, runtime, requests } = planning([plan], 3);
      const handle = runtime.run('post hi');
      const result = await handle.result;

      expect(result.status).toBe('failed');
      expect(result.error).toBeInstanceOf(TroupeError);
      expect(result.error?.code).toBe('PLAN_INVALID');
      expect(result.error?.message).toContain(issue);
      expect(requests.map((r) => r.attempt)).toEqual([1, 2, 3]);
      expect(requests[0]?.feedback).toBeUndefined();
      expect(requests[1]?.feedback).toContain(issue);
      expect(requests[2]?.feedback).toContain(issue);

      const rejected = await eventsOf(log, handle.runId, 'plan.rejected');
      expect(rejected.map((e) => [e.attempt, e.error.code])).toEqual([
        [1, 'PLAN_INVALID'],
        [2, 'PLAN_INVALID'],
        [3, 'PLAN_INVALID'],
      ]);
      expect(rejected[0]?.output).toBe(JSON.stringify(plan));
      expect(await typesOf(log, handle.runId)).toEqual([
        'run.started',
        'plan.rejected',
        'plan.rejected',
        'plan.rejected',
        'run.failed',
      ]);
      expect((await eventsOf(log, handle.runId, 'run.failed'))[0]?.error.code).toBe('PLAN_INVALID');
      await runtime.close();
    },
  );

  it('runs the plan the model fixes after feedback', async () => {
    const { log, runtime, requests } = planning([unknownTool, good]);
    const handle = runtime.run('post hi');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.feedback).toContain('unknown tool `fax`');
    const types = await typesOf(log, handle.runId);
    expect(types.slice(0, 3)).toEqual(['run.started', 'plan.rejected', 'plan.created']);
    expect((await eventsOf(log, handle.runId, 'plan.created'))[0]?.attempt).toBe(2);
    await runtime.close();
  });

  it('junk from the model ends the run MODEL_OUTPUT_INVALID, keeping what it said', async () => {
    const { log, runtime } = planning(['Sure! First I will post, then I will relax.'], 2);
    const handle = runtime.run('post hi');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_OUTPUT_INVALID');
    expect(result.error?.message).toContain('Expected the plan as JSON');
    const rejected = await eventsOf(log, handle.runId, 'plan.rejected');
    expect(rejected).toHaveLength(2);
    expect(rejected[0]?.output).toBe('Sure! First I will post, then I will relax.');
    await runtime.close();
  });

  it('JSON of the wrong shape ends the run MODEL_OUTPUT_INVALID, naming the field', async () => {
    const { runtime } = planning(['{"steps":["post"]}'], 1);
    const result = await runtime.run('post hi').result;
    expect(result.error?.code).toBe('MODEL_OUTPUT_INVALID');
    expect(result.error?.message).toContain('tasks:');
    await runtime.close();
  });

  it('a plan with more than maxTasks tasks is refused', async () => {
    const tasks = Array.from({ length: 4 }, (_, i) => ({ id: `t${i}`, description: 'd', kind: 'processing' as const }));
    const log = memoryLog();
    const runtime = createRuntime({
      log,
      model: scriptedModel({ plan: () => ({ tasks }) }),
      maxTasks: 3,
      maxPlanAttempts: 1,
    });
    const result = await runtime.run('too much').result;
    expect(result.error?.code).toBe('PLAN_INVALID');
    expect(result.error?.message).toContain('the plan has 4 tasks; at most 3 are allowed (maxTasks)');
    await runtime.close();
  });

  it('a model that throws while planning ends the run MODEL_FAILED, naming the model', async () => {
    const log = memoryLog();
    const model = scriptedModel({
      name: 'flaky',
      plan: () => {
        throw new Error('503 Service Unavailable');
      },
    });
    const runtime = createRuntime({ log, model });
    const handle = runtime.run('post hi');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_FAILED');
    expect(result.error?.message).toBe('Model `flaky` failed while asked to plan: 503 Service Unavailable');
    expect(await typesOf(log, handle.runId)).toEqual(['run.started', 'run.failed']);
    await runtime.close();
  });
});
