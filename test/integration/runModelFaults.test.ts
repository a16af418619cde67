import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { fastRetry, typesOf } from './support.js';

describe('a model that fails outside the tasks', () => {
  it('never answering the plan request: the run fails TOOL_TIMEOUT after modelTimeoutMs, not a hang', async () => {
    const signals: AbortSignal[] = [];
    const log = memoryLog();
    const model = scriptedModel({ plan: () => new Promise(() => undefined) });
    const watching = {
      name: model.name,
      complete: (request: Parameters<typeof model.complete>[0], options: { signal: AbortSignal }) => {
        signals.push(options.signal);
        return model.complete(request, options);
      },
    };
    const runtime = createRuntime({ log, model: watching, modelTimeoutMs: 5, retry: fastRetry });
    const handle = runtime.run('plan forever');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('TOOL_TIMEOUT');
    expect(result.error?.message).toContain('did not settle within 5 ms');
    expect(signals.length).toBeGreaterThan(0);
    for (const signal of signals) expect(signal.aborted).toBe(true);
    expect((await typesOf(log, handle.runId)).at(-1)).toBe('run.failed');
    await runtime.close();
  });

  it('throwing while synthesising: the run fails MODEL_FAILED after its tasks completed', async () => {
    const log = memoryLog();
    const model = scriptedModel({
      synthesize: () => {
        throw new Error('content filter tripped');
      },
    });
    const runtime = createRuntime({ log, model, retry: fastRetry });
    const handle = runtime.run('say hi');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('MODEL_FAILED');
    expect(result.error?.message).toContain('content filter tripped');
    expect(result.tasks.map((t) => t.status)).toEqual(['completed']);
    expect(await typesOf(log, handle.runId)).toEqual([
      'run.started',
      'plan.created',
      'task.started',
      'task.completed',
      'run.failed',
    ]);
    await runtime.close();
  });
});
