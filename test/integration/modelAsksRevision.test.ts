import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TroupeEvent } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import type { PlanRequest, ProcessRequest } from '../../src/model/Model.js';
import { type ScriptedPlan, type ScriptedProcessResult, scriptedModel } from '../../src/model/scriptedModel.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState } from '../../src/run/state.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RuntimeOptions } from '../../src/runtime/options.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { eventsOf, nextEvent, typesOf } from './support.js';

const archive = defineTool({
  name: 'archive',
  description: "yesterday's trends",
  input: z.object({}),
  run: () => ({ top: '#rust' }),
});

/** research → draft: the research step finds nothing and asks for the plan to change. */
const plan = {
  tasks: [
    { id: 'research', description: "find today's top trend", kind: 'processing' as const },
    { id: 'draft', description: 'write a take on it', kind: 'processing' as const, dependsOn: ['research'] },
  ],
};

const why = "No trend data today; use yesterday's archive";

/** The archive, then a draft built on it. */
const revision = {
  tasks: [
    { id: 'fromArchive', description: 'read the archive', kind: 'tool_call' as const, tool: 'archive', input: {} },
    {
      id: 'draft',
      description: 'write a take on the archived trend',
      kind: 'processing' as const,
      dependsOn: ['fromArchive'],
    },
  ],
};

function setup(
  options: Partial<RuntimeOptions> & {
    first?: ScriptedPlan;
    revise?: (request: PlanRequest) => ScriptedPlan;
    research?: (request: ProcessRequest) => ScriptedProcessResult;
  } = {},
) {
  const processed: ProcessRequest[] = [];
  const revisions: PlanRequest[] = [];
  const { first, revise, research, ...runtimeOptions } = options;
  const model = scriptedModel({
    plan: (_goal, request) => {
      if (request.revision === undefined) return first ?? plan;
      revisions.push(request);
      return revise?.(request) ?? revision;
    },
    process: (task, request) => {
      processed.push(request);
      if (task.id === 'research') return research?.(request) ?? (request.mayRevisePlan ? { revisePlan: why } : 'none');
      return `Take on ${JSON.stringify(request.inputs)}`;
    },
  });
  const log = memoryLog();
  const runtime = createRuntime({
    log,
    model,
    tools: [archive],
    retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
    ...runtimeOptions,
  });
  return { log, runtime, processed, revisions };
}

describe('a processing step that asks for the rest of the plan to be revised', () => {
  it('completes with its reason; the Planner revises the tasks not started; the new tasks run; the run completes', async () => {
    const { log, runtime, processed, revisions } = setup();
    const handle = runtime.run("post a take on today's top trend");
    const live: TroupeEvent[] = [];
    handle.events$.subscribe((e) => live.push(e));
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => [t.id, t.status, t.output])).toEqual([
      ['research', 'completed', why],
      ['draft', 'completed', 'Take on {"fromArchive":{"top":"#rust"}}'],
      ['fromArchive', 'completed', { top: '#rust' }],
    ]);
    expect(await typesOf(log, handle.runId)).toEqual([
      'run.started',
      'plan.created',
      'task.started',
      'task.completed',
      'plan.revision_requested',
      'plan.revised',
      'task.started',
      'task.completed',
      'task.started',
      'task.completed',
      'run.completed',
    ]);
    const reason = `Task \`research\` asked for the plan to be revised: ${why}`;
    expect(await eventsOf(log, handle.runId, 'plan.revised')).toMatchObject([{ revision: 1, reason, dropped: [] }]);
    expect(await eventsOf(log, handle.runId, 'plan.revision_requested')).toMatchObject([
      { taskId: 'research', reason: why },
    ]);
    // The revision sees why and where every task stands, the requesting step's result included.
    expect(revisions).toHaveLength(1);
    expect(revisions[0]?.revision?.reason).toBe(reason);
    expect(revisions[0]?.revision?.tasks.map((t) => [t.id, t.status, t.output])).toEqual([
      ['research', 'completed', why],
      ['draft', 'planned', undefined],
    ]);
    // The first step may ask (maxReplans 2, none used); so may the revised one (one left).
    expect(processed.map((r) => [r.task.id, r.mayRevisePlan])).toEqual([
      ['research', true],
      ['draft', true],
    ]);
    // Replay folds the revision exactly as the live run did.
    const replayed = await runtime.replay(handle.runId);
    expect(replayed).toEqual(live.reduce(evolve, initialRunState(handle.runId)));
    expect(replayed.revisionRequests).toEqual([]);
    await runtime.close();
  });

  it('is not offered when maxReplans is 0, and a reply that asks anyway fails the step naming it', async () => {
    const { runtime, processed } = setup({ maxReplans: 0 });
    const quiet = await runtime.run('post a take').result;
    expect(quiet.status).toBe('completed');
    expect(processed.map((r) => [r.task.id, r.mayRevisePlan])).toEqual([
      ['research', undefined],
      ['draft', undefined],
    ]);
    await runtime.close();

    const pushy = setup({ maxReplans: 0, research: () => ({ revisePlan: why }) });
    const result = await pushy.runtime.run('post a take').result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_OUTPUT_INVALID');
    expect(result.error?.message).toContain('`revise_plan` was not offered');
    await pushy.runtime.close();
  });

  it('is no longer offered once maxReplans revisions were made', async () => {
    const { runtime, processed } = setup({ maxReplans: 1 });
    const result = await runtime.run('post a take').result;
    expect(result.status).toBe('completed');
    expect(processed.map((r) => [r.task.id, r.mayRevisePlan])).toEqual([
      ['research', true],
      ['draft', undefined],
    ]);
    await runtime.close();
  });

  it('re-asks a bad revision with the reasons, then fails the run with them', async () => {
    const { log, runtime, revisions } = setup({
      revise: () => ({ tasks: [{ id: 'draft', description: 'x', kind: 'processing', dependsOn: ['ghost'] }] }),
    });
    const handle = runtime.run('post a take');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    const reason = 'task `draft` depends on `ghost`, which is not in the plan';
    expect(result.error?.message).toContain(reason);
    expect(revisions.map((r) => r.feedback)).toEqual([undefined, expect.stringContaining(reason), expect.anything()]);
    const rejected = await eventsOf(log, handle.runId, 'plan.rejected');
    expect(rejected.map((e) => [e.attempt, e.revision])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(await eventsOf(log, handle.runId, 'plan.revised')).toEqual([]);
    await runtime.close();
  });

  it('revises while a clarification elsewhere stays open; the answer then completes the run', async () => {
    const ask = {
      id: 'ask',
      description: 'ask the tone',
      kind: 'clarification' as const,
      input: { question: 'Tone?' },
    };
    const { log, runtime } = setup({ first: { tasks: [...plan.tasks, ask] } });
    const handle = runtime.run('post a take in a tone I choose');
    await nextEvent(handle.events$, 'plan.revised');
    expect((await runtime.replay(handle.runId)).tasks.get('ask')?.status).toBe('needs_clarification');
    await handle.answer('ask', 'dry');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['research', 'completed'],
      ['draft', 'completed'],
      ['ask', 'completed'],
      ['fromArchive', 'completed'],
    ]);
    expect(await eventsOf(log, handle.runId, 'plan.revised')).toHaveLength(1);
    await runtime.close();
  });

  it('completes the step at once when a Judge is configured: a reason is no result to score', async () => {
    const scored: string[] = [];
    const { log, runtime } = setup({
      judge: {
        score: ({ taskId }) => {
          scored.push(taskId);
          return 1;
        },
      },
    });
    const handle = runtime.run('post a take');
    expect((await handle.result).status).toBe('completed');
    expect(scored).toEqual(['fromArchive', 'draft']);
    expect(await eventsOf(log, handle.runId, 'plan.revised')).toHaveLength(1);
    await runtime.close();
  });
});
