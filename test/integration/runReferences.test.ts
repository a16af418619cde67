import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { idempotencyKey } from '../../src/tools/idempotencyKey.js';
import { eventsOf, fastRetry } from './support.js';

function setup(postInput: unknown) {
  const sent: { text: string; key: string }[] = [];
  const trends = defineTool({
    name: 'trends',
    description: 'trending topics',
    input: z.object({}),
    run: () => ({ trends: [{ name: '#agentops', volume: 18400 }], count: 1 }),
  });
  const post = defineTool({
    name: 'post',
    description: 'posts text',
    input: z.object({ text: z.string().max(40) }),
    run: ({ text }, { idempotencyKey: key }) => {
      sent.push({ text, key });
      return { ok: true };
    },
  });
  const model = scriptedModel({
    plan: () => ({
      tasks: [
        { id: 'fetch', description: 'fetch trends', kind: 'tool_call', tool: 'trends', input: {} },
        { id: 'send', description: 'post the top trend', kind: 'tool_call', tool: 'post', input: postInput },
      ],
    }),
  });
  const log = memoryLog();
  const runtime = createRuntime({ log, model, tools: [trends, post], retry: fastRetry });
  return { log, runtime, sent };
}

describe('references between tasks', () => {
  it('resolve when the task is ready, are recorded in task.started and keyed as resolved', async () => {
    const { log, runtime, sent } = setup({ text: 'Top: {{fetch.output.trends.0.name}} ({{fetch.output.count}})' });
    const handle = runtime.run('post the top trend');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(sent.map((s) => s.text)).toEqual(['Top: #agentops (1)']);
    const plan = (await eventsOf(log, handle.runId, 'plan.created'))[0];
    expect(plan?.tasks[1]?.dependsOn).toEqual(['fetch']);
    const started = (await eventsOf(log, handle.runId, 'task.started')).find((e) => e.taskId === 'send');
    expect(started?.input).toEqual({ text: 'Top: #agentops (1)' });
    expect(sent[0]?.key).toBe(idempotencyKey(handle.runId, 'send', 'post', { text: 'Top: #agentops (1)' }));
    const replayed = await runtime.replay(handle.runId);
    expect(replayed.tasks.get('send')?.input).toEqual({ text: 'Top: #agentops (1)' });
    await runtime.close();
  });

  it('a path missing from the output fails the task once, naming the reference', async () => {
    const { runtime, sent } = setup({ text: '{{fetch.output.trends.3.name}}' });
    const result = await runtime.run('post').result;
    expect(result.status).toBe('failed');
    const send = result.tasks.find((t) => t.id === 'send');
    expect(send).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'REFERENCE_UNRESOLVED' } });
    expect(send?.error?.message).toBe(
      'Task `send`: {{fetch.output.trends.3.name}} names `3`, which `fetch.output.trends` does not have (it is an array of 1)',
    );
    expect(sent).toEqual([]);
    await runtime.close();
  });

  it('a resolved input that fails the tool’s schema fails the task, naming the reference', async () => {
    const { runtime, sent } = setup({ text: '{{fetch.output.trends}}' });
    const result = await runtime.run('post').result;
    expect(result.status).toBe('failed');
    const send = result.tasks.find((t) => t.id === 'send');
    expect(send).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'TOOL_INPUT_INVALID' } });
    expect(send?.error?.message).toMatch(
      /^Task `send`: the input resolved from \{\{fetch\.output\.trends\}\} is invalid for tool `post`: text: /,
    );
    expect(sent).toEqual([]);
    await runtime.close();
  });

  it('give a processing step its resolved input, in the request and quarantined in the prompt', async () => {
    const trends = defineTool({
      name: 'trends',
      description: 'trending topics',
      input: z.object({}),
      run: () => ({ trends: [{ name: '#agentops' }] }),
    });
    const seen: unknown[] = [];
    const model = scriptedModel({
      plan: () => ({
        tasks: [
          { id: 'fetch', description: 'fetch trends', kind: 'tool_call', tool: 'trends', input: {} },
          {
            id: 'draft',
            description: 'draft a take',
            kind: 'processing',
            input: { topic: '{{fetch.output.trends.0.name}}', tone: 'dry' },
          },
        ],
      }),
      process: (task, request) => {
        seen.push(request.messages.at(-1)?.content);
        const { topic, tone } = task.input as { topic: string; tone: string };
        return `a ${tone} take on ${topic}`;
      },
    });
    const runtime = createRuntime({ log: memoryLog(), model, tools: [trends], retry: fastRetry });
    const result = await runtime.run('draft a take on the top trend').result;
    expect(result.tasks.find((t) => t.id === 'draft')?.output).toBe('a dry take on #agentops');
    expect(seen[0]).toMatch(/Input of this step:\n<untrusted_data id="[0-9a-f]{16}" source="input">/);
    expect(seen[0]).toContain('{"topic":"#agentops","tone":"dry"}');
    await runtime.close();
  });
});
