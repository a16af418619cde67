import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlanValidationError } from '../../src/errors.js';
import { budgetPolicy } from '../../src/judge/budgetPolicy.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import type { ProcessRequest } from '../../src/model/Model.js';
import { type ScriptedProcessResult, scriptedModel } from '../../src/model/scriptedModel.js';
import { parsePlan } from '../../src/run/parsePlan.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RuntimeOptions } from '../../src/runtime/options.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { eventsOf, fastRetry } from './support.js';

function trendsTool(onCall: (region: string) => void = () => undefined, delayMs = 0) {
  return defineTool({
    name: 'trends',
    description: 'What is trending in a region',
    input: z.object({ region: z.enum(['eu', 'us']) }),
    run: async ({ region }) => {
      onCall(region);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return [{ name: region === 'eu' ? '#rust' : '#zig', score: 0.9 }];
    },
  });
}

const postTool = defineTool({
  name: 'post',
  description: 'Posts text',
  input: z.object({ text: z.string() }),
  run: ({ text }) => ({ id: `p-${text.length}` }),
});

const researchPlan = (tools?: string[]) => ({
  tasks: [
    { id: 'research', description: 'Find the top trend', kind: 'processing' as const, ...(tools ? { tools } : {}) },
  ],
});

function start(
  process: (request: ProcessRequest) => ScriptedProcessResult,
  options: RuntimeOptions & { plan?: ReturnType<typeof researchPlan> } = {},
) {
  const log = memoryLog();
  const requests: ProcessRequest[] = [];
  const model = scriptedModel({
    plan: () => options.plan ?? researchPlan(),
    process: (_task, request) => {
      requests.push(request);
      return process(request);
    },
    synthesize: (_goal, results) => String(results[0]?.output),
  });
  const runtime = createRuntime({ log, model, tools: [trendsTool(), postTool], retry: fastRetry, ...options });
  return { log, runtime, requests, handle: runtime.run('post about the top trend') };
}

const turnsOf = (request: ProcessRequest) => request.turns ?? [];

describe('a processing step that calls tools', () => {
  it('makes the calls of one turn at once, gives the results back, and completes with the answer', async () => {
    let running = 0;
    let peak = 0;
    const slow = defineTool({
      name: 'trends',
      description: 'What is trending in a region, slowly',
      input: z.object({ region: z.string() }),
      run: async ({ region }) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
        return [{ name: region === 'eu' ? '#rust' : '#zig', score: 0.9 }];
      },
    });
    const { log, handle, requests, runtime } = start(
      (request) =>
        turnsOf(request).length === 0
          ? {
              content: 'Checking both regions.',
              toolCalls: [
                { name: 'trends', arguments: { region: 'eu' } },
                { name: 'trends', arguments: { region: 'us' } },
              ],
            }
          : `Top: ${turnsOf(request)[0]
              ?.results.map((r) => (r.ok ? JSON.stringify(r.output) : r.error.code))
              .join(' ')}`,
      { tools: [slow, postTool] },
    );
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('Top: [{"name":"#rust","score":0.9}] [{"name":"#zig","score":0.9}]');
    expect(peak).toBe(2);
    // Offered every tool of the run, by default.
    expect(requests[0]?.tools?.map((t) => t.name)).toEqual(['trends', 'post']);
    expect(turnsOf(requests[1] as ProcessRequest)[0]?.content).toBe('Checking both regions.');

    const events = await log.read(handle.runId);
    const modelCalls = events.filter((e) => e.type === 'model.called' && e.taskId === 'research');
    expect(modelCalls.map((e) => (e.type === 'model.called' ? e.toolCalls?.length : 0))).toEqual([2, undefined]);
    const calls = await eventsOf(log, handle.runId, 'tool.called');
    expect(calls.map((c) => [c.callId, c.turn, c.tool, c.input, c.error])).toEqual([
      ['call-1-1', 1, 'trends', { region: 'eu' }, undefined],
      ['call-1-2', 1, 'trends', { region: 'us' }, undefined],
    ]);
    const started1 = events.find((e) => e.type === 'task.started' && e.taskId === 'research');
    for (const call of calls) {
      expect(call.causationId).toBe(started1?.id);
      expect(call.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(2);
    // Replay folds the same conversation the model was shown.
    const turns = (await runtime.replay(handle.runId)).tasks.get('research')?.toolTurns ?? [];
    const folded = turns.map((t) => ({
      content: t.content,
      calls: t.calls,
      results: t.calls.map((c) => t.results.get(c.id)),
    }));
    expect(folded).toEqual(turnsOf(requests[1] as ProcessRequest));
  });

  it('answers an unknown tool, a tool outside the allow-list and junk arguments with tool errors the model recovers from', async () => {
    const { handle, requests, log } = start(
      (request) => {
        const turns = turnsOf(request);
        if (turns.length === 0) {
          return {
            toolCalls: [
              { name: 'tredns', arguments: { region: 'eu' } },
              { name: 'post', arguments: { text: 'hi' } },
              { name: 'trends', arguments: '{region: eu' },
              { name: 'trends', arguments: { region: 'mars' } },
            ],
          };
        }
        if (turns.length === 1) return { toolCalls: [{ name: 'trends', arguments: { region: 'eu' } }] };
        return `recovered after ${turns[0]?.results.map((r) => (r.ok ? 'ok' : r.error.code)).join(',')}`;
      },
      { plan: researchPlan(['trends']), maxToolCalls: 5 },
    );
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.answer).toBe(
      'recovered after TOOL_UNAVAILABLE,TOOL_UNAVAILABLE,TOOL_INPUT_INVALID,TOOL_INPUT_INVALID',
    );
    expect(requests[0]?.tools?.map((t) => t.name)).toEqual(['trends']);
    const errors = turnsOf(requests[1] as ProcessRequest)[0]?.results.map((r) => (r.ok ? '' : r.error.message));
    expect(errors?.[0]).toBe('There is no tool `tredns` (this step may call: trends)');
    expect(errors?.[1]).toBe('Tool `post` is not among the tools this step may call (trends)');
    expect(errors?.[2]).toMatch(/^The arguments of `trends` are not JSON/);
    expect(errors?.[3]).toMatch(/^Invalid input for tool `trends`: region:/);
    const calls = await eventsOf(log, handle.runId, 'tool.called');
    expect(calls[2]?.input).toBe('{region: eu');
    expect(calls[0]?.idempotencyKey).toBeUndefined();
  });

  it('counts refused calls against maxToolCalls, and stops a model that never stops with TOOL_CALL_LIMIT, unretried', async () => {
    let made = 0;
    const { handle, log } = start(() => ({ toolCalls: [{ name: 'trends', arguments: { region: 'eu' } }] }), {
      tools: [trendsTool(() => (made += 1)), postTool],
      maxToolCalls: 3,
    });
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('TOOL_CALL_LIMIT');
    expect(result.error?.message).toBe(
      'Task `research` failed: Task `research` asked for 4 tool calls; at most 3 are allowed per step (maxToolCalls)',
    );
    expect(made).toBe(3);
    expect(result.tasks[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await eventsOf(log, handle.runId, 'tool.called')).toHaveLength(3);
  });

  it('keeps text written beside tool calls in the turn, and completes with the final answer only', async () => {
    const { handle, log } = start((request) =>
      turnsOf(request).length === 0
        ? { content: 'Let me look that up.', toolCalls: [{ name: 'trends', arguments: { region: 'us' } }] }
        : 'The top trend is #zig',
    );
    const result = await handle.result;
    expect(result.tasks[0]?.output).toBe('The top trend is #zig');
    const [turn] = (await eventsOf(log, handle.runId, 'model.called')).filter((e) => e.toolCalls !== undefined);
    expect(turn?.text).toBe('Let me look that up.');
    const state = await handle.result.then(() => createRuntime({ log }).replay(handle.runId));
    expect(state.tasks.get('research')?.toolTurns?.[0]?.content).toBe('Let me look that up.');
  });

  it('gives a retried step the recorded outcome of a call it repeats, without running the tool again', async () => {
    let made = 0;
    let attempt = 0;
    const { handle, log } = start(
      (request) => {
        if (turnsOf(request).length === 0) {
          attempt += 1;
          return { toolCalls: [{ name: 'trends', arguments: { region: 'eu' } }] };
        }
        return attempt === 1 ? 'too short' : 'A good long answer about #rust';
      },
      {
        tools: [trendsTool(() => (made += 1)), postTool],
        judge: { score: ({ output }) => (String(output).length > 10 ? 1 : 0) },
      },
    );
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(made).toBe(1);
    const calls = await eventsOf(log, handle.runId, 'tool.called');
    expect(calls.map((c) => c.cached)).toEqual([undefined, true]);
    expect(calls[0]?.idempotencyKey).toBe(calls[1]?.idempotencyKey);
  });

  it('redacts a secret in a tool’s output before the model or the log sees it', async () => {
    const leaky = defineTool({
      name: 'trends',
      description: 'leaks',
      input: z.object({}),
      run: () => ({ token: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD' }),
    });
    const { handle, log, requests } = start(
      (request) => (turnsOf(request).length === 0 ? { toolCalls: [{ name: 'trends' }] } : 'done'),
      { tools: [leaky] },
    );
    await handle.result;
    const result = turnsOf(requests[1] as ProcessRequest)[0]?.results[0];
    expect(result?.ok).toBe(true);
    const shown = result?.ok === true ? JSON.stringify(result.output) : '';
    expect(shown).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(shown).toContain('REDACTED');
    const [call] = await eventsOf(log, handle.runId, 'tool.called');
    expect(JSON.stringify(call?.output)).toBe(shown);
  });

  it('answers a tool that fails, or whose circuit is open, with a tool error', async () => {
    const flaky = defineTool({
      name: 'trends',
      description: 'always down',
      input: z.object({}),
      run: () => {
        throw new Error('503 upstream');
      },
    });
    const { handle } = start(
      (request) => {
        const turns = turnsOf(request);
        if (turns.length < 2) return { toolCalls: [{ name: 'trends' }] };
        return turns.map((t) => (t.results[0]?.ok === false ? t.results[0].error.code : 'ok')).join(',');
      },
      { tools: [flaky], circuitBreaker: { tools: { failureThreshold: 1, halfOpenAfterMs: 60_000 } } },
    );
    const result = await handle.result;
    expect(result.answer).toBe('TOOL_FAILED,CIRCUIT_OPEN');
  });
});

describe('the bounds of a tool-calling step', () => {
  const pay = defineTool({
    name: 'pay',
    description: 'Pays a counterparty',
    input: z.object({ amountUsd: z.number(), counterparty: z.string() }),
    capabilities: ['payment'],
    run: ({ amountUsd, counterparty }) => `paid ${amountUsd} to ${counterparty}`,
  });
  const policy = { perTaskUsd: 50, perRunUsd: 60, perDayUsd: 1_000, reviewAboveUsd: 40, counterparties: ['acme'] };
  const payTwice = (request: ProcessRequest): ScriptedProcessResult => {
    const turns = turnsOf(request).length;
    if (turns >= 2) return 'paid';
    return { toolCalls: [{ name: 'pay', arguments: { amountUsd: 30, counterparty: 'acme' } }] };
  };

  it('records an allowed spend, and stops the step when the budget refuses the next one', async () => {
    let paid = 0;
    const counted = defineTool({
      name: 'pay',
      description: 'Pays a counterparty',
      input: z.object({ amountUsd: z.number(), counterparty: z.string() }),
      capabilities: ['payment'],
      run: () => `paid ${++paid}`,
    });
    const { handle, log } = start(payTwice, { tools: [counted], budget: budgetPolicy({ ...policy, perRunUsd: 50 }) });
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('BUDGET_EXCEEDED');
    expect(paid).toBe(1);
    expect((await eventsOf(log, handle.runId, 'budget.spent')).map((e) => [e.taskId, e.amountUsd])).toEqual([
      ['research', 30],
    ]);
  });

  it('answers a spend that would need a human review with a tool error, since a step cannot wait for one', async () => {
    const { handle, requests } = start(
      (request) =>
        turnsOf(request).length === 0
          ? { toolCalls: [{ name: 'pay', arguments: { amountUsd: 45, counterparty: 'acme' } }] }
          : 'gave up',
      { tools: [pay], budget: budgetPolicy(policy) },
    );
    expect((await handle.result).status).toBe('completed');
    const [result] = turnsOf(requests[1] as ProcessRequest)[0]?.results ?? [];
    expect(result?.ok === false && result.error.code).toBe('BUDGET_EXCEEDED');
  });

  it('puts a turn’s calls through the tool’s bulkhead (toolLimits), like tool_call tasks', async () => {
    let running = 0;
    let peak = 0;
    const slow = defineTool({
      name: 'trends',
      description: 'slow',
      input: z.object({ region: z.string() }),
      run: async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        return 'ok';
      },
    });
    const regions = ['eu', 'us', 'uk', 'jp'];
    const { handle } = start(
      (request) =>
        turnsOf(request).length === 0
          ? { toolCalls: regions.map((region) => ({ name: 'trends', arguments: { region } })) }
          : `${turnsOf(request)[0]?.results.filter((r) => r.ok).length} ok`,
      { tools: [slow], toolLimits: { trends: { maxConcurrent: 2 } } },
    );
    expect((await handle.result).answer).toBe('4 ok');
    expect(peak).toBe(2);
  });

  it('bounds every call by the step’s deadline: a hung tool times the step out', async () => {
    const hung = defineTool({
      name: 'trends',
      description: 'never answers',
      input: z.object({}),
      run: (_, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const { handle } = start(() => ({ toolCalls: [{ name: 'trends' }] }), {
      tools: [hung],
      taskTimeoutMs: 50,
      retry: { maxRetries: 0 },
    });
    const result = await handle.result;
    expect(result.error?.code).toBe('TOOL_TIMEOUT');
  });
});

describe('a plan’s `tools` allow-list', () => {
  const tools = new Map([['trends', trendsTool()]]);
  it('is refused when it names an unknown tool, or sits on a task that is not processing', () => {
    const raw = JSON.stringify({
      tasks: [
        { id: 'a', description: 'x', kind: 'processing', tools: ['trends', 'nope'] },
        { id: 'b', description: 'y', kind: 'tool_call', tool: 'trends', input: { region: 'eu' }, tools: ['trends'] },
      ],
    });
    expect(() => parsePlan(raw, { tools, maxTasks: 10 })).toThrow(PlanValidationError);
    expect(() => parsePlan(raw, { tools, maxTasks: 10 })).toThrow(
      'Invalid plan: task `a` may call unknown tool `nope` (registered: trends); task `b` lists `tools`, but only processing tasks call tools',
    );
  });

  it('is recorded in the plan; `[]` offers the step no tools', async () => {
    const { handle, requests } = start(() => 'no tools needed', { plan: researchPlan([]) });
    expect((await handle.result).status).toBe('completed');
    expect(requests[0]?.tools).toBeUndefined();
  });
});
