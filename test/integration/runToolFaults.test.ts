import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { Tool } from '../../src/tools/defineTool.js';
import { eventsOf, fastRetry, simpleTool, toolPlan, typesOf } from './support.js';

// vitest already fails a run on an unhandled rejection; this makes the promise explicit here.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

function runtimeFor(tools: Tool[], extra: Parameters<typeof createRuntime>[0] = {}) {
  const log = memoryLog();
  const model = scriptedModel({ plan: () => toolPlan(...tools.map((t) => t.name)) });
  return { log, runtime: createRuntime({ log, model, tools, retry: fastRetry, ...extra }) };
}

describe('a tool that throws', () => {
  it('is retried maxRetries times, then its task and the run fail TOOL_FAILED', async () => {
    let calls = 0;
    const broken = simpleTool('broken', () => {
      calls += 1;
      throw new Error('ECONNREFUSED');
    });
    const { log, runtime } = runtimeFor([broken]);
    const handle = runtime.run('call the broken tool');
    const result = await handle.result;

    expect(calls).toBe(3);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('TOOL_FAILED');
    expect(result.error?.message).toBe('Task `t0` failed: Tool `broken` failed: ECONNREFUSED');
    expect(result.tasks[0]).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'TOOL_FAILED' } });
    const retrying = await eventsOf(log, handle.runId, 'task.retrying');
    expect(retrying.map((e) => [e.attempt, e.error.code])).toEqual([
      [1, 'TOOL_FAILED'],
      [2, 'TOOL_FAILED'],
    ]);
    for (const e of retrying) expect(e.delayMs).toBeLessThanOrEqual(fastRetry.maxDelayMs);
    expect((await eventsOf(log, handle.runId, 'task.started')).map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(await typesOf(log, handle.runId)).toEqual([
      'run.started',
      'plan.created',
      'task.started',
      'task.retrying',
      'task.started',
      'task.retrying',
      'task.started',
      'task.failed',
      'run.failed',
    ]);
    await runtime.close();
  });

  it('succeeds when a retry does, and the run completes', async () => {
    let calls = 0;
    const flaky = simpleTool('flaky', () => {
      calls += 1;
      if (calls < 3) throw new Error(`attempt ${calls} failed`);
      return 'third time lucky';
    });
    const { log, runtime } = runtimeFor([flaky]);
    const handle = runtime.run('call the flaky tool');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks[0]).toMatchObject({ status: 'completed', attempts: 3, output: 'third time lucky' });
    expect(await eventsOf(log, handle.runId, 'task.retrying')).toHaveLength(2);
    await runtime.close();
  });

  it('stops new dispatches after a failure and keeps every event of the failed run in the log', async () => {
    let laterCalls = 0;
    const broken = simpleTool('broken', () => {
      throw new Error('nope');
    });
    const later = simpleTool('later', () => {
      laterCalls += 1;
      return 'ran';
    });
    const log = memoryLog();
    const model = scriptedModel({
      plan: () => ({
        tasks: [
          { id: 'first', description: 'fails', kind: 'tool_call', tool: 'broken' },
          { id: 'second', description: 'after', kind: 'tool_call', tool: 'later', dependsOn: ['first'] },
        ],
      }),
    });
    const runtime = createRuntime({ log, model, tools: [broken, later], retry: { ...fastRetry, maxRetries: 0 } });
    const handle = runtime.run('two steps');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(laterCalls).toBe(0);
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['first', 'failed'],
      ['second', 'planned'],
    ]);
    expect(await typesOf(log, handle.runId)).toEqual([
      'run.started',
      'plan.created',
      'task.started',
      'task.failed',
      'run.failed',
    ]);
    const [summary] = await log.runs();
    const recorded = await log.read(handle.runId);
    expect(summary).toMatchObject({ runId: handle.runId, status: 'failed', events: recorded.length });
    const replayed = await runtime.replay(handle.runId);
    expect(replayed).toMatchObject({ status: 'failed', error: { code: 'TOOL_FAILED' } });
    await runtime.close();
  });
});

describe('a tool whose output fails its schema', () => {
  it('fails TOOL_OUTPUT_INVALID, naming the field', async () => {
    const liar = simpleTool('liar', () => ({ url: 42 }), z.object({ url: z.string() }));
    const { log, runtime } = runtimeFor([liar], { retry: { ...fastRetry, maxRetries: 1 } });
    const handle = runtime.run('call the liar');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('TOOL_OUTPUT_INVALID');
    expect(result.error?.message).toMatch(/^Task `t0` failed: Tool `liar` returned invalid output: url: /);
    const [failed] = await eventsOf(log, handle.runId, 'task.failed');
    expect(failed?.error.code).toBe('TOOL_OUTPUT_INVALID');
    await runtime.close();
  });
});

describe('a tool that never settles', () => {
  it('times out after taskTimeoutMs (TOOL_TIMEOUT), is retried, and the run ends without hanging', async () => {
    const signals: AbortSignal[] = [];
    const stuck = simpleTool('stuck', ({ signal }) => {
      signals.push(signal);
      return new Promise(() => undefined);
    });
    const { log, runtime } = runtimeFor([stuck], { taskTimeoutMs: 5, retry: { ...fastRetry, maxRetries: 1 } });
    const handle = runtime.run('call the stuck tool');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('TOOL_TIMEOUT');
    expect(result.error?.message).toBe('Task `t0` failed: Task `t0` did not settle within 5 ms');
    expect(signals).toHaveLength(2);
    for (const signal of signals) {
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toMatchObject({ code: 'TOOL_TIMEOUT' });
    }
    expect((await eventsOf(log, handle.runId, 'task.retrying'))[0]?.error.code).toBe('TOOL_TIMEOUT');
    expect((await typesOf(log, handle.runId)).at(-1)).toBe('run.failed');
    await runtime.close();
  });

  it('does not hold back the tasks beside it', async () => {
    const stuck = simpleTool('stuck', () => new Promise(() => undefined));
    const quick = simpleTool('quick', () => 'done');
    const { runtime } = runtimeFor([stuck, quick], { taskTimeoutMs: 5, retry: { ...fastRetry, maxRetries: 0 } });
    const result = await runtime.run('one stuck, one quick').result;
    expect(result.status).toBe('failed');
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['t0', 'failed'],
      ['t1', 'completed'],
    ]);
    await runtime.close();
  });
});

describe('a processing step whose model call throws', () => {
  it('fails the run MODEL_FAILED after retries, naming the model and the task', async () => {
    const log = memoryLog();
    const model = scriptedModel({
      process: () => {
        throw new Error('context length exceeded');
      },
    });
    const runtime = createRuntime({ log, model, retry: { ...fastRetry, maxRetries: 1 } });
    const handle = runtime.run('think hard');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_FAILED');
    expect(result.error?.message).toBe(
      'Task `answer` failed: Model `scripted` failed on task `answer`: context length exceeded',
    );
    const [failed] = await eventsOf(log, handle.runId, 'task.failed');
    expect(failed?.error.code).toBe('MODEL_FAILED');
    await runtime.close();
  });
});
