import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createRuntime,
  defineTool,
  type EventLog,
  memoryLog,
  type PlannedTask,
  scriptedModel,
  type TroupeEvent,
} from '../../src/index.js';
import { planArb } from '../support/planArb.js';

/**
 * A log holding a started run whose plan is `tasks` as given: the way a log written before
 * plans were checked for repeated dependencies holds it. Resuming it runs the plan through
 * the fold and the executor without `parsePlan` in the way.
 */
async function loggedPlan(tasks: PlannedTask[]): Promise<{ log: EventLog; runId: string }> {
  const log = memoryLog();
  const runId = 'dup-run';
  const envelope = (id: string, causationId: string | null) => ({
    id,
    runId,
    ts: 1,
    correlationId: runId,
    causationId,
  });
  await log.append([
    { type: 'run.started', goal: 'g', ...envelope('e1', null) },
    { type: 'plan.created', attempt: 1, tasks, ...envelope('e2', 'e1') },
  ]);
  return { log, runId };
}

function counter(failFirst: ReadonlySet<string> = new Set()) {
  const calls = new Map<string, number>();
  const tool = defineTool({
    name: 'noop',
    description: 'counts its calls per task',
    input: z.object({ i: z.number() }),
    run: ({ i }, { taskId }) => {
      const n = (calls.get(taskId) ?? 0) + 1;
      calls.set(taskId, n);
      if (n === 1 && failFirst.has(taskId)) throw new Error(`first call of ${taskId} fails`);
      return i;
    },
  });
  return { tool, calls };
}

/** Every task's `task.started` attempts are 1, 2, 3… with none repeated, and none after it ended. */
function startsOncePerAttempt(events: readonly TroupeEvent[]): void {
  const attempts = new Map<string, number>();
  const ended = new Set<string>();
  for (const event of events) {
    if (event.type === 'task.started') {
      expect(ended.has(event.taskId)).toBe(false);
      expect(event.attempt).toBe((attempts.get(event.taskId) ?? 0) + 1);
      attempts.set(event.taskId, event.attempt);
    } else if (event.type === 'task.completed' || event.type === 'task.failed') {
      ended.add(event.taskId);
    }
  }
}

describe('the fold and executor, given a logged plan that names a dependency twice', () => {
  it("runs the dependent's tool once and completes, without INVALID_STATE", async () => {
    const { log, runId } = await loggedPlan([
      { id: 'a', description: 'a', kind: 'tool_call', dependsOn: [], tool: 'noop', input: { i: 1 } },
      { id: 'b', description: 'b', kind: 'tool_call', dependsOn: ['a', 'a'], tool: 'noop', input: { i: 2 } },
      { id: 'c', description: 'c', kind: 'processing', dependsOn: ['a', 'b', 'a', 'b'] },
    ]);
    const { tool, calls } = counter();
    const runtime = createRuntime({ log, model: scriptedModel({ process: (t) => `did ${t.id}` }), tools: [tool] });
    const result = await (await runtime.resume(runId)).result;
    await runtime.close();
    expect(result.status).toBe('completed');
    expect(Object.fromEntries(calls)).toEqual({ a: 1, b: 1 });
    const events = await log.read(runId);
    expect(events.filter((e) => e.type === 'task.started').map((e) => e.taskId)).toEqual(['a', 'b', 'c']);
    expect(events.filter((e) => e.type === 'task.failed')).toEqual([]);
  });

  it('over random plans with repeated dependencies and failing attempts, no task starts twice per attempt', async () => {
    await fc.assert(
      fc.asyncProperty(planArb(8), fc.nat(), fc.nat(), async (plan, repeatMask, failMask) => {
        const tasks = plan.map((t, i) => ({
          ...t,
          kind: t.kind === 'clarification' ? ('tool_call' as const) : t.kind,
          ...(t.kind === 'processing' ? {} : { tool: 'noop', input: { i } }),
          // Name each dependency twice for the tasks the mask picks.
          dependsOn: (repeatMask >> i) & 1 ? [...t.dependsOn, ...t.dependsOn] : t.dependsOn,
        }));
        const { log, runId } = await loggedPlan(tasks);
        const failing = new Set(tasks.filter((_, i) => (failMask >> i) & 1).map((t) => t.id));
        const { tool, calls } = counter(failing);
        const runtime = createRuntime({
          log,
          model: scriptedModel({ process: (t) => `did ${t.id}` }),
          tools: [tool],
          retry: { maxRetries: 1, initialDelayMs: 0, maxDelayMs: 0 },
          concurrency: 3,
        });
        const result = await (await runtime.resume(runId)).result;
        await runtime.close();
        expect(result.status).toBe('completed');
        startsOncePerAttempt(await log.read(runId));
        for (const t of tasks.filter((t) => t.kind === 'tool_call')) {
          expect(calls.get(t.id)).toBe(failing.has(t.id) ? 2 : 1);
        }
      }),
      { numRuns: 40 },
    );
  });
});
