import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLog } from '../../src/log/memoryLog.js';
import { type Script, scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { eventsOf, fastRetry, isLifecycle, typesOf } from './support.js';

const lookupPrice = defineTool({
  name: 'lookupPrice',
  description: 'Looks up the price of an item',
  input: z.object({ item: z.string() }),
  output: z.object({ item: z.string(), cents: z.number().int() }),
  run: ({ item }) => ({ item, cents: item.length * 100 }),
});

describe('a run from goal to result', () => {
  it('runs tools and processing in dependency order, passing outputs to dependents', async () => {
    const processed: { id: string; inputs: unknown }[] = [];
    const script: Script = {
      plan: () => ({
        tasks: [
          { id: 'tea', description: 'price of tea', kind: 'tool_call', tool: 'lookupPrice', input: { item: 'tea' } },
          { id: 'cake', description: 'price of cake', kind: 'tool_call', tool: 'lookupPrice', input: { item: 'cake' } },
          { id: 'total', description: 'add the prices', kind: 'processing', dependsOn: ['tea', 'cake'] },
          { id: 'note', description: 'write a note', kind: 'processing', dependsOn: ['total'] },
        ],
      }),
      process: (task, request) => {
        processed.push({ id: task.id, inputs: request.inputs });
        return task.id === 'total' ? '700 cents' : `Tea and cake: ${String(request.inputs.total)}`;
      },
      synthesize: (_goal, results) => results.map((r) => `${r.taskId}=${JSON.stringify(r.output)}`).join(' | '),
    };
    const log = memoryLog();
    const runtime = createRuntime({ log, model: scriptedModel(script), tools: [lookupPrice], retry: fastRetry });
    const handle = runtime.run('what do tea and cake cost?');
    const result = await handle.result;

    expect(result.status).toBe('completed');
    expect(result.error).toBeUndefined();
    expect(processed).toEqual([
      { id: 'total', inputs: { tea: { item: 'tea', cents: 300 }, cake: { item: 'cake', cents: 400 } } },
      { id: 'note', inputs: { total: '700 cents' } },
    ]);
    expect(result.answer).toBe(
      'tea={"item":"tea","cents":300} | cake={"item":"cake","cents":400} | total="700 cents" | note="Tea and cake: 700 cents"',
    );
    expect(result.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([
      ['tea', 'completed', 1],
      ['cake', 'completed', 1],
      ['total', 'completed', 1],
      ['note', 'completed', 1],
    ]);

    const events = await log.read(handle.runId);
    const at = (type: string, taskId: string) =>
      events.findIndex((e) => e.type === type && 'taskId' in e && e.taskId === taskId);
    expect(at('task.started', 'total')).toBeGreaterThan(at('task.completed', 'tea'));
    expect(at('task.started', 'total')).toBeGreaterThan(at('task.completed', 'cake'));
    expect(at('task.started', 'note')).toBeGreaterThan(at('task.completed', 'total'));
    const types = await typesOf(log, handle.runId);
    expect(types.slice(0, 2)).toEqual(['run.started', 'plan.created']);
    expect(types.at(-1)).toBe('run.completed');
    expect(types.filter((t) => t === 'run.completed')).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    await runtime.close();
  });

  it('streams the run’s events on handle.events$, completing after the last', async () => {
    const runtime = createRuntime({ retry: fastRetry });
    const handle = runtime.run('say hi');
    const streamed = await lastValueFrom(handle.events$.pipe(toArray()));
    await handle.result;
    expect(streamed.filter(isLifecycle).map((e) => e.type)).toEqual([
      'run.started',
      'plan.created',
      'task.started',
      'task.completed',
      'run.completed',
    ]);
    // Subscribed after the end, it replays the whole run and completes.
    const late = await lastValueFrom(handle.events$.pipe(toArray()));
    expect(late).toEqual(streamed);
    await runtime.close();
  });

  it('keeps runs apart on one log, and runtime.events$ sees every run', async () => {
    const log = memoryLog();
    const runtime = createRuntime({ log, retry: fastRetry });
    const seen: string[] = [];
    const subscription = runtime.events$.subscribe((e) => seen.push(e.runId));
    const [a, b] = [runtime.run('first', { runId: 'run-a' }), runtime.run('second', { runId: 'run-b' })];
    const results = await Promise.all([a.result, b.result]);
    subscription.unsubscribe();
    expect(results.map((r) => [r.runId, r.status])).toEqual([
      ['run-a', 'completed'],
      ['run-b', 'completed'],
    ]);
    expect(new Set(seen)).toEqual(new Set(['run-a', 'run-b']));
    expect((await eventsOf(log, 'run-a', 'run.started'))[0]?.goal).toBe('first');
    expect((await log.runs()).map((r) => [r.runId, r.status])).toEqual([
      ['run-a', 'completed'],
      ['run-b', 'completed'],
    ]);
    await runtime.close();
  });

  it('never has more tasks in flight than `concurrency`', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = defineTool({
      name: 'slow',
      description: 'Takes a moment',
      input: z.object({ n: z.number() }),
      run: async ({ n }) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Settles on a later macrotask, so every task that may start does so first.
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return n;
      },
    });
    const tasks = Array.from({ length: 12 }, (_, n) => ({
      id: `t${n}`,
      description: `task ${n}`,
      kind: 'tool_call' as const,
      tool: 'slow',
      input: { n },
    }));
    const runtime = createRuntime({
      model: scriptedModel({ plan: () => ({ tasks }) }),
      tools: [slow],
      concurrency: 3,
      retry: fastRetry,
    });
    const result = await runtime.run('twelve slow calls').result;
    expect(result.status).toBe('completed');
    expect(maxInFlight).toBe(3);
    expect(result.tasks.map((t) => t.output)).toEqual(tasks.map((t) => t.input.n));
    await runtime.close();
  });

  it('resolves handle.cancel() on a finished run with its result, recording nothing more', async () => {
    const log = memoryLog();
    const runtime = createRuntime({ log, retry: fastRetry });
    const handle = runtime.run('say hi');
    const result = await handle.result;
    const count = (await log.read(handle.runId)).length;
    expect(await handle.cancel()).toEqual(result);
    expect(await log.read(handle.runId)).toHaveLength(count);
    await runtime.close();
  });
});
