import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { deferred, eventsOf, fastRetry, simpleTool, toolPlan, typesOf } from './support.js';

/** A tool that waits until its signal aborts; `started` resolves once `expected` calls are in. */
function waitingTool(name: string, expected: number) {
  const signals: AbortSignal[] = [];
  const allStarted = deferred();
  const tool = simpleTool(
    name,
    ({ signal }) =>
      new Promise((_, reject) => {
        signals.push(signal);
        if (signals.length === expected) allStarted.resolve();
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  );
  return { tool, signals, started: allStarted.promise };
}

describe('cancelling a run', () => {
  it('mid-run: aborts running tasks through their signal and ends cancelled, `run.cancelled` last', async () => {
    const { tool, signals, started } = waitingTool('wait', 3);
    const log = memoryLog();
    const model = scriptedModel({ plan: () => toolPlan('wait', 'wait', 'wait') });
    const runtime = createRuntime({ log, model, tools: [tool], retry: fastRetry });
    const handle = runtime.run('wait three times');
    await started;

    const result = await handle.cancel('the user changed their mind');
    expect(result.status).toBe('cancelled');
    expect(result.error).toMatchObject({ code: 'RUN_CANCELLED' });
    expect(await handle.result).toBe(result);
    expect(signals.map((s) => s.aborted)).toEqual([true, true, true]);
    expect(result.tasks.map((t) => t.status)).toEqual(['failed', 'failed', 'failed']);

    const types = await typesOf(log, handle.runId);
    expect(types.at(-1)).toBe('run.cancelled');
    expect(types.filter((t) => t === 'task.retrying')).toEqual([]);
    const failed = await eventsOf(log, handle.runId, 'task.failed');
    expect(failed.map((e) => e.error.code)).toEqual(['RUN_CANCELLED', 'RUN_CANCELLED', 'RUN_CANCELLED']);
    expect((await eventsOf(log, handle.runId, 'run.cancelled'))[0]?.reason).toBe('the user changed their mind');
    expect((await log.runs())[0]?.status).toBe('cancelled');
    await runtime.close();
  });

  it('leaves queued tasks unstarted when it stops a run held back by `concurrency`', async () => {
    const { tool, started } = waitingTool('wait', 1);
    const log = memoryLog();
    const model = scriptedModel({ plan: () => toolPlan('wait', 'wait', 'wait') });
    const runtime = createRuntime({ log, model, tools: [tool], concurrency: 1, retry: fastRetry });
    const handle = runtime.run('wait three times');
    await started;
    const result = await handle.cancel();
    expect(result.tasks.map((t) => t.status)).toEqual(['failed', 'planned', 'planned']);
    expect(await eventsOf(log, handle.runId, 'task.started')).toHaveLength(1);
    await runtime.close();
  });

  it('while planning: the model call is abandoned and nothing is planned', async () => {
    const planning = deferred();
    const log = memoryLog();
    const model = scriptedModel({
      plan: () => {
        planning.resolve();
        return new Promise(() => undefined);
      },
    });
    const runtime = createRuntime({ log, model });
    const handle = runtime.run('plan forever');
    await planning.promise;
    const result = await handle.cancel();
    expect(result.status).toBe('cancelled');
    expect(await typesOf(log, handle.runId)).toEqual(['run.started', 'run.cancelled']);
    await runtime.close();
  });

  it('right after run(): the run ends cancelled before anything is planned', async () => {
    let planned = false;
    const log = memoryLog();
    const runtime = createRuntime({
      log,
      model: scriptedModel({
        plan: (goal) => {
          planned = true;
          return { tasks: [{ id: 'a', description: goal, kind: 'processing' }] };
        },
      }),
    });
    const handle = runtime.run('never mind');
    const result = await handle.cancel('too soon');
    expect(result.status).toBe('cancelled');
    expect(planned).toBe(false);
    expect(await typesOf(log, handle.runId)).toEqual(['run.started', 'run.cancelled']);
    await runtime.close();
  });

  it('during a retry backoff: the pending retry never starts', async () => {
    let calls = 0;
    const failedOnce = deferred();
    const broken = simpleTool('broken', () => {
      calls += 1;
      failedOnce.resolve();
      throw new Error('down');
    });
    const log = memoryLog();
    const model = scriptedModel({ plan: () => toolPlan('broken') });
    // A backoff far longer than the test: only cancellation can end it.
    const runtime = createRuntime({
      log,
      model,
      tools: [broken],
      retry: { maxRetries: 3, initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const handle = runtime.run('retry slowly');
    await failedOnce.promise;
    const result = await handle.cancel();
    expect(result.status).toBe('cancelled');
    expect(calls).toBe(1);
    expect((await typesOf(log, handle.runId)).at(-1)).toBe('run.cancelled');
    await runtime.close();
  });

  it('runtime.close() cancels runs still going and then refuses new ones', async () => {
    const { tool, signals, started } = waitingTool('wait', 1);
    const log = memoryLog();
    const runtime = createRuntime({ log, model: scriptedModel({ plan: () => toolPlan('wait') }), tools: [tool] });
    const handle = runtime.run('wait');
    await started;
    await runtime.close();
    expect(signals[0]?.aborted).toBe(true);
    expect((await handle.result).status).toBe('cancelled');
    expect((await eventsOf(log, handle.runId, 'run.cancelled'))[0]?.reason).toBe('the runtime was closed');
    expect(() => runtime.run('again')).toThrow(expect.objectContaining({ code: 'LOG_CLOSED' }));
  });
});
