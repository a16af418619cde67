import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, socialPlatformTools } from '../../src/demo/socialPlatforms.js';
import type { EventOf, TroupeEvent, TroupeEventType } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { type OpenAIModelOptions, openaiModel } from '../../src/model/openaiModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RuntimeOptions } from '../../src/runtime/options.js';
import {
  type ChatRequestBody,
  type OpenAIServer,
  type ServerReply,
  startOpenAIServer,
} from '../support/openaiServer.js';

let server: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const goal = "post 'hello world' to all social platforms";
const socialPlan = {
  tasks: [
    {
      id: 'threads',
      description: 'Post to Threads',
      kind: 'tool_call',
      tool: 'postToThreads',
      input: { text: 'hello world' },
    },
    {
      id: 'bluesky',
      description: 'Post to Bluesky',
      kind: 'tool_call',
      tool: 'postToBluesky',
      input: { text: 'hello world' },
    },
    { id: 'x', description: 'Post to X', kind: 'tool_call', tool: 'postToX', input: { text: 'hello world' } },
  ],
};

const isPlan = (body: ChatRequestBody) => body.response_format !== undefined;
const lastText = (body: ChatRequestBody) => body.messages.at(-1)?.content ?? '';

/** Plans `plan` (JSON) for plan requests; synthesises by listing the URLs it was shown. */
function brain(plan: unknown = socialPlan) {
  return (body: ChatRequestBody): ServerReply =>
    isPlan(body)
      ? { content: JSON.stringify(plan) }
      : { content: `Posted: ${(lastText(body).match(/https:\/\/[^\s"\\]+/g) ?? []).join(' ')}` };
}

function setup(modelOptions: OpenAIModelOptions = {}, options: RuntimeOptions = {}) {
  const log = memoryLog();
  const outbox = new Outbox();
  const model = openaiModel({
    baseURL: server.baseURL,
    model: 'gpt-4o-mini',
    env: {},
    retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 },
    ...modelOptions,
  });
  const runtime = createRuntime({ log, model, tools: socialPlatformTools(outbox), maxPlanAttempts: 2, ...options });
  return { log, outbox, runtime };
}

async function eventsOf<T extends TroupeEventType>(log: ReturnType<typeof memoryLog>, runId: string, type: T) {
  return (await log.read(runId)).filter((e): e is EventOf<T> => e.type === type);
}

describe('the social fan-out on openaiModel, over HTTP', () => {
  it('plans three tool calls, posts, and synthesises; every model call is an event with usage and cost', async () => {
    server.respond(brain());
    const { log, outbox, runtime } = setup();
    const handle = runtime.run(goal);
    const result = await handle.result;

    expect(result.status).toBe('completed');
    expect(outbox.posts.map((p) => p.platform).sort()).toEqual(['bluesky', 'threads', 'x']);
    for (const post of outbox.posts) expect(result.answer).toContain(post.url);

    const calls = await eventsOf(log, handle.runId, 'model.called');
    expect(calls.map((c) => c.purpose)).toEqual(['plan', 'synthesize']);
    for (const call of calls) {
      expect(call.model).toBe('gpt-4o-mini');
      expect(call.attempts).toBe(1);
      expect(call.usage.inputTokens).toBeGreaterThan(0);
      expect(call.costUsd).toBeGreaterThan(0);
    }
    const total = calls.reduce((sum, c) => sum + c.costUsd, 0);
    expect(result.usage).toMatchObject({ calls: 2 });
    expect(result.usage.costUsd).toBeCloseTo(total, 12);
    const replayed = await runtime.replay(handle.runId);
    expect(replayed.usage).toEqual(result.usage);
    await runtime.close();
  });

  it('re-asks after malformed JSON, a wrong shape and a cut-off answer, then plans', async () => {
    server.respond(brain());
    server.enqueue({ fault: 'malformed_json' }, { fault: 'wrong_shape' }, { fault: 'length' });
    const { log, runtime } = setup({}, { maxPlanAttempts: 4 });
    const handle = runtime.run(goal);
    expect((await handle.result).status).toBe('completed');
    const rejected = await eventsOf(log, handle.runId, 'plan.rejected');
    expect(rejected.map((r) => r.error.code)).toEqual([
      'MODEL_OUTPUT_INVALID',
      'MODEL_OUTPUT_INVALID',
      'MODEL_OUTPUT_INVALID',
    ]);
    expect(rejected[0]?.output).toContain('unterminated');
    expect(rejected[2]?.error.message).toContain('finish_reason: length');
    // The model is told why: the last plan prompt carries the refusal.
    const planPrompts = server.requests.filter(isPlan);
    expect(planPrompts).toHaveLength(4);
    expect(lastText(planPrompts[3] as ChatRequestBody)).toContain('refused');
    await runtime.close();
  });

  it('fails MODEL_OUTPUT_INVALID after the last attempt, keeping every refused output', async () => {
    server.respond(() => ({ fault: 'wrong_shape' }));
    const { log, outbox, runtime } = setup();
    const handle = runtime.run(goal);
    const result = await handle.result;
    expect(result).toMatchObject({ status: 'failed', error: { code: 'MODEL_OUTPUT_INVALID' } });
    const rejected = await eventsOf(log, handle.runId, 'plan.rejected');
    expect(rejected.map((r) => r.output)).toEqual([
      '{"steps": ["this is JSON, but not a plan"]}',
      '{"steps": ["this is JSON, but not a plan"]}',
    ]);
    expect(outbox.posts).toHaveLength(0);
    await runtime.close();
  });

  it.each([
    [
      'an unknown tool',
      { tasks: [{ id: 'a', description: 'fax it', kind: 'tool_call', tool: 'sendFax', input: {} }] },
      'calls unknown tool `sendFax`',
    ],
    [
      'tool input that fails the tool’s schema',
      {
        tasks: [{ id: 'a', description: 'post', kind: 'tool_call', tool: 'postToX', input: { text: 'x'.repeat(281) } }],
      },
      'gives `postToX` invalid input',
    ],
    ['an empty plan', { tasks: [] }, 'the plan has no tasks'],
    [
      '10,000 tasks over maxTasks',
      {
        tasks: Array.from({ length: 10_000 }, (_, i) => ({
          id: `t${i}`,
          description: `step ${i}`,
          kind: 'processing',
        })),
      },
      'the plan has 10000 tasks; at most 1000 are allowed (maxTasks)',
    ],
  ])('refuses a plan with %s: PLAN_INVALID naming it, nothing posted', async (_what, plan, message) => {
    server.respond(brain(plan));
    const { log, outbox, runtime } = setup();
    const handle = runtime.run(goal);
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('PLAN_INVALID');
    expect(result.error?.message).toContain(message);
    expect(outbox.posts).toHaveLength(0);
    expect(await eventsOf(log, handle.runId, 'plan.rejected')).toHaveLength(2);
    await runtime.close();
  });

  it('carries the URLs, files and snippets a plan attaches to a task into its prompt', async () => {
    const attachments = [
      { kind: 'url', value: 'https://example.com/release-notes' },
      { kind: 'snippet', value: 'v0.1: actors, streams, a log' },
    ];
    const plan = {
      tasks: [{ id: 'read', description: 'Summarise the release notes', kind: 'processing', attachments }],
    };
    server.respond((body) => (isPlan(body) ? { content: JSON.stringify(plan) } : { content: 'summary' }));
    const { log, runtime } = setup();
    const handle = runtime.run('summarise https://example.com/release-notes');
    expect((await handle.result).status).toBe('completed');
    const [created] = await eventsOf(log, handle.runId, 'plan.created');
    expect(created?.tasks[0]?.attachments).toEqual(attachments);
    const processPrompt = server.requests.find((r) => r.tools !== undefined);
    expect(lastText(processPrompt as ChatRequestBody)).toContain(
      'Attachments:\n- url: https://example.com/release-notes\n- snippet: v0.1: actors, streams, a log',
    );
    await runtime.close();
  });

  it('refuses an attachment of an unknown kind, naming the field', async () => {
    const plan = {
      tasks: [{ id: 'a', description: 'read', kind: 'processing', attachments: [{ kind: 'video', value: 'x' }] }],
    };
    server.respond(brain(plan));
    const { runtime } = setup();
    const result = await runtime.run(goal).result;
    expect(result).toMatchObject({ status: 'failed', error: { code: 'MODEL_OUTPUT_INVALID' } });
    expect(result.error?.message).toContain('attachments');
    await runtime.close();
  });

  it('records a 429 and its wait as model.attempt_failed, then the call with attempts: 2', async () => {
    server.respond(brain());
    server.enqueue({ fault: 'rate_limit', retryAfter: '0.01' });
    const { log, runtime } = setup();
    const handle = runtime.run(goal);
    expect((await handle.result).status).toBe('completed');
    const events = await log.read(handle.runId);
    const failed = events.filter((e): e is EventOf<'model.attempt_failed'> => e.type === 'model.attempt_failed');
    expect(failed).toEqual([
      expect.objectContaining({ purpose: 'plan', attempt: 1, status: 429, retryInMs: 10, model: 'gpt-4o-mini' }),
    ]);
    const plan = events.find((e) => e.type === 'model.called' && e.purpose === 'plan') as EventOf<'model.called'>;
    expect(plan.attempts).toBe(2);
    expect(events.indexOf(failed[0] as TroupeEvent)).toBeLessThan(events.indexOf(plan));
    await runtime.close();
  });

  it('fails TOOL_TIMEOUT when the model never answers, with each attempt recorded', async () => {
    server.respond(() => ({ fault: 'hang' }));
    const { log, runtime } = setup({ timeoutMs: 30, retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2 } });
    const handle = runtime.run(goal);
    const result = await handle.result;
    expect(result).toMatchObject({ status: 'failed', error: { code: 'TOOL_TIMEOUT' } });
    const failed = await eventsOf(log, handle.runId, 'model.attempt_failed');
    expect(failed.map((f) => [f.attempt, f.error.code, f.retryInMs === undefined])).toEqual([
      [1, 'TOOL_TIMEOUT', false],
      [2, 'TOOL_TIMEOUT', true],
    ]);
    await runtime.close();
  });

  it('fails a run on a server that keeps answering 500, its events intact', async () => {
    server.respond(() => ({ fault: 'server_error' }));
    const { log, runtime } = setup();
    const handle = runtime.run(goal);
    const result = await handle.result;
    expect(result).toMatchObject({ status: 'failed', error: { code: 'MODEL_FAILED' } });
    const types = (await log.read(handle.runId)).map((e) => e.type);
    expect(types).toEqual([
      'run.started',
      'model.attempt_failed',
      'model.attempt_failed',
      'model.attempt_failed',
      'run.failed',
    ]);
    await runtime.close();
  });
});
