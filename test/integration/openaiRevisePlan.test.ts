import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLog } from '../../src/log/memoryLog.js';
import type { ProcessRequest } from '../../src/model/Model.js';
import { openaiModel } from '../../src/model/openaiModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import {
  type ChatRequestBody,
  type OpenAIServer,
  type ServerReply,
  startOpenAIServer,
} from '../support/openaiServer.js';
import { eventsOf } from './support.js';

let server: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const archive = defineTool({
  name: 'archive',
  description: "yesterday's trends",
  input: z.object({}),
  run: () => ({ top: '#rust' }),
});

const plan = {
  tasks: [
    { id: 'research', description: "Find today's top trend", kind: 'processing' },
    { id: 'draft', description: 'Write a take on it', kind: 'processing', dependsOn: ['research'], tools: [] },
  ],
};
const revision = {
  tasks: [
    { id: 'fromArchive', description: 'Read the archive', kind: 'tool_call', tool: 'archive', input: {} },
    { id: 'draft', description: 'Write a take on the archived trend', kind: 'processing', dependsOn: ['fromArchive'] },
  ],
};
const why = "No trend data today; use yesterday's archive";

const names = (body: ChatRequestBody | undefined) => body?.tools?.map((t) => t.function.name);
const text = (body: ChatRequestBody) => body.messages.map((m) => m.content ?? '').join('\n');
const stepOf = (id: string) => (body: ChatRequestBody) => body.response_format === undefined && text(body).includes(id);

/** A model that plans, asks for a revision from `research` when it is offered, and answers the rest. */
function brain(body: ChatRequestBody): ServerReply {
  const all = text(body);
  if (body.response_format !== undefined) {
    return { content: JSON.stringify(all.includes('must change') ? revision : plan) };
  }
  if (all.includes('Write the final answer')) return { content: 'Final take posted' };
  if (all.includes("Find today's top trend")) {
    const offered = names(body)?.includes('revise_plan') === true;
    if (offered) return { toolCall: { name: 'revise_plan', arguments: JSON.stringify({ reason: why }) } };
    // Not offered: a confused model calls it anyway, once, then answers.
    if (!body.messages.some((m) => m.role === 'tool'))
      return { toolCalls: [{ name: 'revise_plan', arguments: JSON.stringify({ reason: why }) }] };
    return { content: 'No trend found' };
  }
  return { content: 'A take on #rust' };
}

function setup(maxReplans?: number) {
  server.respond(brain);
  const log = memoryLog();
  const model = openaiModel({ baseURL: server.baseURL, model: 'gpt-4o-mini', env: {}, retry: { maxRetries: 0 } });
  const runtime = createRuntime({
    log,
    model,
    tools: [archive],
    retry: { maxRetries: 0, initialDelayMs: 1, maxDelayMs: 1 },
    ...(maxReplans === undefined ? {} : { maxReplans }),
  });
  return { log, runtime };
}

describe('openaiModel: a step asks for a revision with the revise_plan function', () => {
  it('offers revise_plan beside ask_clarification; a call of it revises the plan over real tool_calls', async () => {
    const { log, runtime } = setup();
    const handle = runtime.run("post a take on today's top trend");
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([
      ['research', 'completed'],
      ['draft', 'completed'],
      ['fromArchive', 'completed'],
    ]);
    expect(result.tasks[0]?.output).toBe(why);
    const research = server.requests.find(stepOf("Find today's top trend"));
    expect(names(research)).toEqual(['ask_clarification', 'revise_plan', 'archive']);
    expect(research?.tools?.[1]?.function.parameters).toMatchObject({ required: ['reason'] });
    expect(await eventsOf(log, handle.runId, 'plan.revised')).toMatchObject([
      { revision: 1, reason: `Task \`research\` asked for the plan to be revised: ${why}` },
    ]);
    // The revision prompt tells the model why and shows the step's result.
    const revise = server.requests.find((b) => b.response_format !== undefined && text(b).includes('must change'));
    expect(revise === undefined ? '' : text(revise)).toContain(`asked for the plan to be revised: ${why}`);
    await runtime.close();
  });

  it('with maxReplans 0 never offers it; a call of it anyway is a tool error the model recovers from', async () => {
    const { log, runtime } = setup(0);
    const handle = runtime.run("post a take on today's top trend");
    const result = await handle.result;
    expect(result.status).toBe('completed');
    for (const body of server.requests) expect(names(body) ?? []).not.toContain('revise_plan');
    expect(await eventsOf(log, handle.runId, 'plan.revised')).toEqual([]);
    expect(await eventsOf(log, handle.runId, 'tool.called')).toMatchObject([
      { taskId: 'research', tool: 'revise_plan', error: { code: 'TOOL_UNAVAILABLE' } },
    ]);
    expect(result.tasks[0]?.output).toBe('No trend found');
    await runtime.close();
  });

  it('refuses a call of revise_plan with junk arguments, naming the function', async () => {
    server.respond(() => ({ toolCall: { name: 'revise_plan', arguments: '{"why": 1}' } }));
    const model = openaiModel({ baseURL: server.baseURL, model: 'gpt-4o-mini', env: {}, retry: { maxRetries: 0 } });
    const request: ProcessRequest = {
      purpose: 'process',
      goal: 'g',
      task: { id: 'research', description: 'r', kind: 'processing', dependsOn: [] },
      inputs: {},
      mayRevisePlan: true,
      messages: [{ role: 'user', content: 'r' }],
    };
    await expect(model.complete(request, { signal: new AbortController().signal })).rejects.toMatchObject({
      code: 'MODEL_OUTPUT_INVALID',
      message: expect.stringContaining('called `revise_plan` with invalid arguments'),
    });
  });
});
