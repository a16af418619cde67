import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dispatchTool } from '../../src/dispatch/dispatchTool.js';
import type { SubAgentRecord } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { type ScriptedProcessResult, scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import type { RuntimeOptions } from '../../src/runtime/options.js';
import { createGlobalState } from '../../src/state/globalState.js';
import type { Tool } from '../../src/tools/defineTool.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { eventsOf, fastRetry, nextEvent, simpleTool } from './support.js';

const healthy = simpleTool('healthy', () => ({ ok: true }));

/** A run of a `subject` task beside an independent healthy one, continuing past failures. */
function runBeside(subject: Tool, options: RuntimeOptions = {}) {
  const log = memoryLog();
  const model = scriptedModel({
    plan: () => ({
      tasks: [
        { id: 'subject', description: 'the task under test', kind: 'tool_call', tool: subject.name, input: {} },
        { id: 'healthy', description: 'independent work', kind: 'tool_call', tool: 'healthy', input: {} },
      ],
    }),
  });
  const runtime = createRuntime({
    log,
    model,
    tools: [subject, healthy],
    retry: fastRetry,
    onTaskFailure: 'continue',
    ...options,
  });
  return { log, runtime, handle: runtime.run('test') };
}

async function settle(run: ReturnType<typeof runBeside>) {
  const result = await run.handle.result;
  await run.runtime.close();
  const subject = result.tasks.find((t) => t.id === 'subject');
  const other = result.tasks.find((t) => t.id === 'healthy');
  return { result, subject, other };
}

describe('values user code hands a run that the log cannot store', () => {
  it('a processing step whose tool returns junk gets TOOL_OUTPUT_INVALID back and recovers', async () => {
    const junk = defineTool({
      name: 'stats',
      description: 'Statistics, sometimes broken',
      input: z.object({ safe: z.boolean() }),
      run: ({ safe }) => (safe ? { mean: 0.5 } : { mean: Number.NaN, at: new Date(0) }),
    });
    const log = memoryLog();
    const model = scriptedModel({
      plan: () => ({ tasks: [{ id: 'research', description: 'compute', kind: 'processing' }] }),
      process: (_task, request): ScriptedProcessResult => {
        const turns = request.turns ?? [];
        if (turns.length === 0) return { toolCalls: [{ name: 'stats', arguments: { safe: false } }] };
        if (turns.length === 1) return { toolCalls: [{ name: 'stats', arguments: { safe: true } }] };
        const [first, second] = turns.map((t) => t.results[0]);
        return `first ${first?.ok ? 'ok' : first?.error.code}, then ${JSON.stringify(second?.ok && second.output)}`;
      },
      synthesize: (_goal, results) => String(results[0]?.output),
    });
    const runtime = createRuntime({ log, model, tools: [junk], retry: fastRetry });
    const handle = runtime.run('compute');
    const result = await handle.result;
    await runtime.close();
    expect(result.status).toBe('completed');
    expect(result.status === 'completed' && result.answer).toBe('first TOOL_OUTPUT_INVALID, then {"mean":0.5}');
    const [refused] = await eventsOf(log, handle.runId, 'tool.called');
    expect(refused?.error).toEqual({
      code: 'TOOL_OUTPUT_INVALID',
      message:
        'Tool `stats` returned output that cannot be stored: output.mean is NaN; expected JSON-storable values: finite numbers, strings, booleans, null, arrays and plain objects',
    });
  });

  it('a tool that changes its output after returning it: the run keeps what it returned', async () => {
    const returned: { v: number }[] = [];
    const sneaky = simpleTool('sneaky', () => {
      const output = { v: 1 };
      returned.push(output);
      return output;
    });
    const run = runBeside(sneaky);
    const { result, subject } = await settle(run);
    for (const output of returned) output.v = Number.NaN;
    expect(result.status).toBe('completed');
    expect(subject).toMatchObject({ status: 'completed', output: { v: 1 } });
    const [completed] = (await run.log.read(result.runId)).filter(
      (e) => e.type === 'task.completed' && e.taskId === 'subject',
    );
    expect(completed).toMatchObject({ output: { v: 1 } });
  });

  it('a tool that returns nothing completes with no output, and the scripted model synthesises past it', async () => {
    const { result, subject } = await settle(runBeside(simpleTool('fireAndForget', () => undefined)));
    expect(result.status).toBe('completed');
    expect(subject).toMatchObject({ status: 'completed' });
    expect(subject?.status === 'completed' && subject.output).toBeUndefined();
    expect(result.status === 'completed' && result.answer).toContain('subject: null');
  });

  it('a commit whose value cannot be stored fails its task with VALUE_UNSTORABLE; nothing lands', async () => {
    const globalState = createGlobalState();
    const run = runBeside(
      simpleTool('measure', () => 3),
      {
        globalState,
        commit: ({ taskId, output }) => [
          { key: taskId, apply: () => (taskId === 'subject' ? { at: new Date(0), n: output } : output) },
        ],
      },
    );
    const { result, subject, other } = await settle(run);
    expect(result.status).toBe('completed');
    expect(subject).toMatchObject({
      status: 'failed',
      error: {
        code: 'VALUE_UNSTORABLE',
        message: expect.stringMatching(/^Cannot commit `subject` for task `subject`: value\.at is a Date; expected/),
      },
    });
    expect(other).toMatchObject({ status: 'completed', output: { ok: true } });
    expect(globalState.read('subject').version).toBe(0);
    expect(globalState.read('healthy')).toEqual({ value: { ok: true }, version: 1 });
  });

  it('recordSubAgent refuses a record the log would refuse, to the tool that made it', async () => {
    const refusals: string[] = [];
    const record: SubAgentRecord = {
      idempotencyKey: 'k1',
      depth: 1,
      index: 0,
      args: {},
      output: { score: Number.NaN },
      success: true,
      durationMs: 1,
      costUsd: 0,
      cached: false,
    };
    const recorder = simpleTool('recorder', ({ recordSubAgent }) => {
      for (const bad of [record, { ...record, output: 1, durationMs: 'slow' }]) {
        try {
          recordSubAgent?.(bad as SubAgentRecord);
        } catch (err) {
          refusals.push(`${(err as { code: string }).code}: ${(err as Error).message}`);
        }
      }
      recordSubAgent?.({ ...record, output: { score: 0.5 } });
      return 'recorded';
    });
    const run = runBeside(recorder);
    const { result, subject } = await settle(run);
    expect(result.status).toBe('completed');
    expect(subject).toMatchObject({ status: 'completed', output: 'recorded' });
    expect(refusals).toEqual([
      'VALUE_UNSTORABLE: Cannot record a sub-agent of task `subject`: record.output.score is NaN; expected JSON-storable values: finite numbers, strings, booleans, null, arrays and plain objects',
      expect.stringMatching(
        /^VALUE_UNSTORABLE: Cannot record a sub-agent of task `subject`: `record.durationMs` .*number/,
      ),
    ]);
    const recorded = await eventsOf(run.log, result.runId, 'subagent.completed');
    expect(recorded.map((e) => e.output)).toEqual([{ score: 0.5 }]);
  });

  it('a dispatch whose sub-agent arguments cannot be recorded fails its task, not the run', async () => {
    const fanout = dispatchTool({
      name: 'fanout',
      description: 'Asks an agent per day',
      template: 'Summarise {{day}}',
      argument: z.object({ day: z.string().transform((s) => new Date(s)) }) as unknown as z.ZodType<{ day: string }>,
      agent: () => 'summary',
    });
    const log = memoryLog();
    const model = scriptedModel({
      plan: () => ({
        tasks: [
          {
            id: 'subject',
            description: 'fan out',
            kind: 'tool_call',
            tool: 'fanout',
            input: { arguments: [{ day: '2026-01-01' }] },
          },
          { id: 'healthy', description: 'independent work', kind: 'tool_call', tool: 'healthy', input: {} },
        ],
      }),
    });
    const runtime = createRuntime({
      log,
      model,
      tools: [fanout, healthy],
      retry: fastRetry,
      onTaskFailure: 'continue',
    });
    const result = await runtime.run('fan out').result;
    await runtime.close();
    expect(result.status).toBe('completed');
    expect(result.tasks.find((t) => t.id === 'subject')).toMatchObject({
      status: 'failed',
      error: { code: 'VALUE_UNSTORABLE', message: expect.stringContaining('record.args.day is a Date') },
    });
  });

  it('a custom judge answering junk JSON cannot show sends the result to review, recorded', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const junk of [{ score: 1n }, cyclic]) {
      const run = runBeside(
        simpleTool('draft', () => 'text'),
        {
          judge: { score: ({ taskId }) => (taskId === 'subject' ? (junk as never) : 1) },
        },
      );
      // Before the fix the run failed instead: its result settles first.
      const requested = await Promise.race([nextEvent(run.handle.events$, 'review.requested'), run.handle.result]);
      expect(requested).toMatchObject({ taskId: 'subject', kind: 'result', score: null });
      const [scored] = (await eventsOf(run.log, run.handle.runId, 'judge.scored')).filter(
        (e) => e.taskId === 'subject',
      );
      expect(scored?.error?.code).toBe('JUDGE_INVALID');
      await run.handle.cancel();
      await run.runtime.close();
    }
  });

  it('a tool that throws something with no text form fails its task with a message', async () => {
    const thrower: Tool = {
      ...simpleTool('thrower', () => 1),
      call: () => Promise.reject(Object.create(null)),
    };
    const { result, subject } = await settle(runBeside(thrower));
    expect(result.status).toBe('completed');
    expect(subject).toMatchObject({
      status: 'failed',
      error: { message: 'a thrown object that cannot be shown as text' },
    });
  });
});
