import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { eventsOf, fastRetry, nextEvent, typesOf } from './support.js';

/** A plan that asks a human which platform, then drafts a post for it. */
function askThenDraft() {
  const processed: { answer: string | undefined; inputs: unknown }[] = [];
  const model = scriptedModel({
    plan: () => ({
      tasks: [
        {
          id: 'ask',
          description: 'Ask for the platform',
          kind: 'clarification',
          input: { question: 'Which platform?' },
        },
        { id: 'draft', description: 'Draft the post', kind: 'processing', dependsOn: ['ask'] },
      ],
    }),
    process: (_task, request) => {
      processed.push({ answer: request.answer, inputs: request.inputs });
      return `draft for ${String(request.inputs.ask)}`;
    },
  });
  const log = memoryLog();
  const runtime = createRuntime({ log, model, retry: fastRetry });
  return { log, runtime, processed };
}

describe('clarification', () => {
  it('waits in NeedsClarification until handle.answer, then runs on with the answer', async () => {
    const { log, runtime, processed } = askThenDraft();
    const handle = runtime.run('post an announcement');
    const requested = await nextEvent(handle.events$, 'task.clarification_requested');
    expect(requested).toMatchObject({ taskId: 'ask', question: 'Which platform?' });
    expect(processed).toEqual([]);
    const waiting = await runtime.replay(handle.runId);
    expect(waiting.tasks.get('ask')?.status).toBe('needs_clarification');

    await handle.answer('ask', 'Bluesky');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => [t.id, t.status, t.output])).toEqual([
      ['ask', 'completed', 'Bluesky'],
      ['draft', 'completed', 'draft for Bluesky'],
    ]);
    expect(processed).toEqual([{ answer: undefined, inputs: { ask: 'Bluesky' } }]);
    const askEvents = (await log.read(handle.runId)).filter((e) => 'taskId' in e && e.taskId === 'ask');
    expect(askEvents.map((e) => e.type)).toEqual([
      'task.started',
      'task.clarification_requested',
      'task.answered',
      'task.started',
      'task.completed',
    ]);
    expect((await eventsOf(log, handle.runId, 'task.answered'))[0]?.answer).toBe('Bluesky');
    await runtime.close();
  });

  it('lets a processing step ask its own question and receive the answer', async () => {
    const answers: (string | undefined)[] = [];
    const model = scriptedModel({
      process: (_task, request) => {
        answers.push(request.answer);
        return request.answer === undefined ? { clarify: 'Formal or casual?' } : `a ${request.answer} reply`;
      },
    });
    const runtime = createRuntime({ model, retry: fastRetry });
    const handle = runtime.run('write a reply');
    const requested = await nextEvent(handle.events$, 'task.clarification_requested');
    expect(requested.question).toBe('Formal or casual?');
    await handle.answer(requested.taskId, 'casual');
    const result = await handle.result;
    expect(result.answer).toBe('answer: a casual reply');
    expect(answers).toEqual([undefined, 'casual']);
    await runtime.close();
  });

  it('refuses an answer to a task that is not waiting (INVALID_STATE), recording nothing', async () => {
    const { log, runtime } = askThenDraft();
    const handle = runtime.run('post an announcement');
    await nextEvent(handle.events$, 'task.clarification_requested');
    const before = (await log.read(handle.runId)).length;

    await expect(handle.answer('draft', 'too early')).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('task `draft` is not waiting for an answer (it is planned)'),
    });
    await expect(handle.answer('nope', 'x')).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
    await expect(handle.answer('ask', '   ')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await log.read(handle.runId)).toHaveLength(before);

    await handle.answer('ask', 'Threads');
    await expect(handle.answer('ask', 'again')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await handle.result).status).toBe('completed');
    await expect(handle.answer('ask', 'after the end')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await runtime.close();
  });

  it('cancelling while a task waits for an answer fails that task and ends the run cancelled', async () => {
    const { log, runtime } = askThenDraft();
    const handle = runtime.run('post an announcement');
    await nextEvent(handle.events$, 'task.clarification_requested');
    const result = await handle.cancel('nobody answered');
    expect(result.status).toBe('cancelled');
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['ask', 'failed'],
      ['draft', 'planned'],
    ]);
    const types = await typesOf(log, handle.runId);
    expect(types.slice(-2)).toEqual(['task.failed', 'run.cancelled']);
    await runtime.close();
  });
});
