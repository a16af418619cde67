import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PlannedTask } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { RunSession } from '../../src/run/RunSession.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { idempotencyKey } from '../../src/tools/idempotencyKey.js';
import { eventsOf, fastRetry, isLifecycle } from './support.js';

const plan: PlannedTask[] = [
  { id: 'a', description: 'count 1', kind: 'tool_call', tool: 'count', input: { n: 1 }, dependsOn: [] },
  { id: 'b', description: 'count 2', kind: 'tool_call', tool: 'count', input: { n: 2 }, dependsOn: ['a'] },
  { id: 'c', description: 'sum up', kind: 'processing', dependsOn: ['b'] },
];

/** A `count` tool that records every call with its idempotency key. */
function counter() {
  const calls: { n: number; key: string }[] = [];
  const tool = defineTool({
    name: 'count',
    description: 'Counts',
    input: z.object({ n: z.number() }),
    run: ({ n }, { idempotencyKey: key }) => {
      calls.push({ n, key });
      return n * 10;
    },
  });
  return { tool, calls };
}

/** A runtime whose plan is `plan` and whose processing step sums its inputs. */
function runtimeOn(log: ReturnType<typeof memoryLog>, tool: ReturnType<typeof counter>['tool']) {
  const model = scriptedModel({
    plan: () => ({ tasks: plan }),
    process: (_task, request) => `sum ${Object.values(request.inputs).join('+')}`,
  });
  return createRuntime({ log, model, tools: [tool], retry: fastRetry });
}

describe('runtime.resume', () => {
  it('continues a run cut off mid-task: recorded results stay, the cut-off task runs again', async () => {
    const log = memoryLog();
    const crashed = new RunSession(log, 'run-1');
    await crashed.execute({ type: 'start', goal: 'count to two' });
    await crashed.execute({ type: 'plan', attempt: 1, tasks: plan });
    await crashed.execute({ type: 'executor', report: { type: 'started', taskId: 'a', attempt: 1 } });
    await crashed.execute({ type: 'executor', report: { type: 'completed', taskId: 'a', output: 10, durationMs: 1 } });
    await crashed.execute({ type: 'executor', report: { type: 'started', taskId: 'b', attempt: 1 } });
    const before = (await log.read('run-1')).length;

    const { tool, calls } = counter();
    const runtime = runtimeOn(log, tool);
    const handle = await runtime.resume('run-1');
    expect(handle.runId).toBe('run-1');
    const result = await handle.result;

    expect(result.status).toBe('completed');
    expect(calls).toEqual([{ n: 2, key: idempotencyKey('run-1', 'b', 'count', { n: 2 }) }]);
    expect(result.tasks.map((t) => [t.id, t.status, t.attempts, t.output])).toEqual([
      ['a', 'completed', 1, 10],
      ['b', 'completed', 2, 20],
      ['c', 'completed', 1, 'sum 20'],
    ]);
    const events = (await log.read('run-1')).filter(isLifecycle);
    expect(events.slice(before).map((e) => e.type)).toEqual([
      'task.started',
      'task.completed',
      'task.started',
      'task.completed',
      'run.completed',
    ]);
    expect(events.slice(before, before + 1)).toMatchObject([{ taskId: 'b', attempt: 2 }]);
    expect(await runtime.replay('run-1')).toMatchObject({ status: 'completed', answer: result.answer });
    await runtime.close();
  });

  it('plans again a run cut off while planning', async () => {
    const log = memoryLog();
    await new RunSession(log, 'run-2').execute({ type: 'start', goal: 'count to two' });
    const { tool, calls } = counter();
    const runtime = runtimeOn(log, tool);
    const result = await (await runtime.resume('run-2')).result;
    expect(result.status).toBe('completed');
    expect(calls.map((c) => c.n)).toEqual([1, 2]);
    expect((await eventsOf(log, 'run-2', 'plan.created'))[0]?.attempt).toBe(1);
    await runtime.close();
  });

  it('hands back a finished run as it ended, recording nothing', async () => {
    const log = memoryLog();
    const { tool, calls } = counter();
    const runtime = runtimeOn(log, tool);
    const first = await runtime.run('count to two', { runId: 'run-3' }).result;
    const count = (await log.read('run-3')).length;
    const again = await (await runtime.resume('run-3')).result;
    expect(again).toEqual(first);
    expect(await log.read('run-3')).toHaveLength(count);
    expect(calls).toHaveLength(2);
    await runtime.close();
  });

  it('streams a resumed run’s events from its first one', async () => {
    const log = memoryLog();
    await new RunSession(log, 'run-4').execute({ type: 'start', goal: 'count to two' });
    const { tool } = counter();
    const runtime = runtimeOn(log, tool);
    const handle = await runtime.resume('run-4');
    const seen: string[] = [];
    await new Promise<void>((resolve) =>
      handle.events$.subscribe({ next: (e) => seen.push(e.type), complete: resolve }),
    );
    expect(seen[0]).toBe('run.started');
    expect(seen.at(-1)).toBe('run.completed');
    await runtime.close();
  });

  it('refuses a run the log does not hold (RUN_NOT_FOUND)', async () => {
    const runtime = createRuntime();
    await expect(runtime.resume('ghost')).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
      message: 'No run `ghost` in the log',
    });
    await expect(runtime.replay('ghost')).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    await runtime.close();
  });
});

describe('runtime.replay', () => {
  it('folds a run from its log, up to and including `untilSeq`', async () => {
    const log = memoryLog();
    const { tool } = counter();
    const runtime = runtimeOn(log, tool);
    const handle = runtime.run('count to two');
    const result = await handle.result;
    const events = await log.read(handle.runId);
    const seqOf = (type: string, taskId?: string) =>
      events.find((e) => e.type === type && (taskId === undefined || ('taskId' in e && e.taskId === taskId)))?.seq;

    const whole = await runtime.replay(handle.runId);
    expect(whole).toMatchObject({
      status: 'completed',
      goal: 'count to two',
      answer: result.answer,
      events: events.length,
    });
    expect([...whole.tasks.values()].map((t) => [t.id, t.status, t.output])).toEqual(
      result.tasks.map((t) => [t.id, t.status, t.output]),
    );

    const planned = await runtime.replay(handle.runId, { untilSeq: seqOf('plan.created') });
    expect(planned.status).toBe('running');
    expect([...planned.tasks.values()].map((t) => t.status)).toEqual(['planned', 'planned', 'planned']);

    const aDone = await runtime.replay(handle.runId, { untilSeq: seqOf('task.completed', 'a') });
    expect([...aDone.tasks.values()].map((t) => t.status)).toEqual(['completed', 'planned', 'planned']);
    expect(aDone.tasks.get('b')?.unmet).toBe(0);

    const started = await runtime.replay(handle.runId, { untilSeq: seqOf('run.started') });
    expect(started).toMatchObject({ status: 'planning', events: 1 });
    const nothing = await runtime.replay(handle.runId, { untilSeq: -1 });
    expect(nothing).toMatchObject({ status: 'pending', events: 0 });
    expect(await log.read(handle.runId)).toHaveLength(events.length);
    await runtime.close();
  });

  it('replays the events of a failed run, which stay in the log', async () => {
    const log = memoryLog();
    const broken = defineTool({
      name: 'count',
      description: 'Broken',
      input: z.object({ n: z.number() }),
      run: () => {
        throw new Error('disk full');
      },
    });
    const runtime = runtimeOn(log, broken);
    const handle = runtime.run('count to two');
    await handle.result;
    const replayed = await runtime.replay(handle.runId);
    expect(replayed.status).toBe('failed');
    expect(replayed.error?.message).toBe('Task `a` failed: Tool `count` failed: disk full');
    expect(replayed.tasks.get('a')?.attempts).toBe(fastRetry.maxRetries + 1);
    await runtime.close();
  });
});

describe('runtime.resume with a question open', () => {
  const asking: PlannedTask[] = [
    { id: 'ask', description: 'Which platform?', kind: 'clarification', dependsOn: [] },
    { id: 'c', description: 'draft', kind: 'processing', dependsOn: ['ask'] },
  ];

  async function crashedWhileWaiting(log: ReturnType<typeof memoryLog>, answered: boolean) {
    const session = new RunSession(log, 'run-q');
    await session.execute({ type: 'start', goal: 'draft a post' });
    await session.execute({ type: 'plan', attempt: 1, tasks: asking });
    await session.execute({ type: 'executor', report: { type: 'started', taskId: 'ask', attempt: 1 } });
    await session.execute({
      type: 'executor',
      report: { type: 'clarify', taskId: 'ask', question: 'Which platform?' },
    });
    if (answered) await session.execute({ type: 'answer', taskId: 'ask', answer: 'Threads' });
  }

  function draftingRuntime(log: ReturnType<typeof memoryLog>) {
    const model = scriptedModel({
      plan: () => ({ tasks: asking }),
      process: (_task, request) => `draft for ${String(request.inputs.ask)}`,
    });
    return createRuntime({ log, model, retry: fastRetry });
  }

  it('takes the answer to a question asked before the crash', async () => {
    const log = memoryLog();
    await crashedWhileWaiting(log, false);
    const runtime = draftingRuntime(log);
    const handle = await runtime.resume('run-q');
    await handle.answer('ask', 'Threads');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => t.output)).toEqual(['Threads', 'draft for Threads']);
    await runtime.close();
  });

  it('runs on with an answer recorded before the crash', async () => {
    const log = memoryLog();
    await crashedWhileWaiting(log, true);
    const runtime = draftingRuntime(log);
    const result = await (await runtime.resume('run-q')).result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => t.output)).toEqual(['Threads', 'draft for Threads']);
    await runtime.close();
  });
});
