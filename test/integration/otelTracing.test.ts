import { fileURLToPath } from 'node:url';
import { context, propagation, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PlannedTask } from '../../src/events/types.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { mcpTools } from '../../src/mcp/mcpTools.js';
import type { Model } from '../../src/model/Model.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { RunSession } from '../../src/run/RunSession.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { fastRetry } from './support.js';

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterEach(() => exporter.reset());
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

const plan: PlannedTask[] = [
  { id: 'a', description: 'add 1 and 2', kind: 'tool_call', tool: 'add', input: { x: 1, y: 2 }, dependsOn: [] },
  { id: 'b', description: 'add 3 and 4', kind: 'tool_call', tool: 'add', input: { x: 3, y: 4 }, dependsOn: [] },
  { id: 'c', description: 'sum up', kind: 'processing', dependsOn: ['a', 'b'] },
];

/** An `add` tool that opens a span of its own under whatever context is active, and keeps its ToolContext's. */
function adder() {
  const seen: { taskId: string; traceContextSpan: string | undefined; own: Span }[] = [];
  const tool = defineTool({
    name: 'add',
    description: 'Adds two numbers',
    input: z.object({ x: z.number(), y: z.number() }),
    run: ({ x, y }, ctx) => {
      const own = trace.getTracer('user-tool').startSpan('user work');
      own.end();
      seen.push({
        taskId: ctx.taskId,
        traceContextSpan: trace.getSpan(ctx.traceContext ?? context.active())?.spanContext().spanId,
        own,
      });
      return x + y;
    },
  });
  return { tool, seen };
}

const model = () =>
  scriptedModel({
    plan: () => ({ tasks: plan }),
    process: (_task, request) => `sum ${Object.values(request.inputs).join('+')}`,
  });

const spans = () => exporter.getFinishedSpans();
const named = (name: string): ReadableSpan => {
  const found = spans().filter((s) => s.name === name);
  expect(
    found,
    `one span named ${name} in ${spans()
      .map((s) => s.name)
      .join(', ')}`,
  ).toHaveLength(1);
  return found[0] as ReadableSpan;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;

/** Every span lies within its parent's time and carries `gen_ai.operation.name`; one trace, one root. */
function expectCoherentTree(root: ReadableSpan): void {
  const all = spans();
  const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
  for (const s of all) {
    expect(s.spanContext().traceId, s.name).toBe(root.spanContext().traceId);
    if (s.instrumentationScope.name !== 'troupe') continue;
    expect(s.attributes['gen_ai.operation.name'], s.name).toBeTypeOf('string');
    if (s === root) continue;
    const parent = byId.get(parentOf(s) ?? '');
    expect(parent, `the parent of ${s.name} was exported`).toBeDefined();
    expect(ms(s.startTime), s.name).toBeGreaterThanOrEqual(ms((parent as ReadableSpan).startTime) - 1);
    expect(ms(s.endTime), s.name).toBeLessThanOrEqual(ms((parent as ReadableSpan).endTime) + 1);
  }
}

describe('OpenTelemetry spans of a run', () => {
  it('nests run › plan › task › model and tool calls, named and attributed after the GenAI conventions', async () => {
    const { tool, seen } = adder();
    const runtime = createRuntime({ log: memoryLog(), model: model(), tools: [tool], retry: fastRetry });
    const caller = trace.getTracer('app').startSpan('http request');
    const result = await context.with(trace.setSpan(context.active(), caller), () => runtime.run('add things').result);
    caller.end();
    expect(result.status).toBe('completed');

    const run = named('invoke_workflow troupe');
    expect(parentOf(run)).toBe(caller.spanContext().spanId);
    expect(run.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.workflow.name': 'troupe',
      'gen_ai.conversation.id': result.runId,
    });
    const planning = named('plan');
    expect(parentOf(planning)).toBe(run.spanContext().spanId);
    const chats = spans().filter((s) => s.name === 'chat scripted');
    expect(chats.map((s) => s.attributes['troupe.model.purpose']).sort()).toEqual(['plan', 'process', 'synthesize']);
    for (const chat of chats) {
      expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted' });
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeTypeOf('number');
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeTypeOf('number');
      expect(chat.kind).toBe(2);
    }
    const byPurpose = (p: string) => chats.find((s) => s.attributes['troupe.model.purpose'] === p) as ReadableSpan;
    expect(parentOf(byPurpose('plan'))).toBe(planning.spanContext().spanId);
    expect(parentOf(byPurpose('synthesize'))).toBe(run.spanContext().spanId);

    const tasks = ['a', 'b', 'c'].map((id) => named(`invoke_agent ${id}`));
    for (const t of tasks) {
      expect(parentOf(t)).toBe(run.spanContext().spanId);
      expect(t.attributes['gen_ai.operation.name']).toBe('invoke_agent');
    }
    expect(parentOf(byPurpose('process'))).toBe(tasks[2]?.spanContext().spanId);
    const tools = spans().filter((s) => s.name === 'execute_tool add');
    expect(tools.map((s) => parentOf(s)).sort()).toEqual(
      tasks
        .slice(0, 2)
        .map((t) => t.spanContext().spanId)
        .sort(),
    );
    for (const t of tools)
      expect(t.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'add' });

    // The tool's ToolContext names its execute_tool span, which is also the active context in `run`.
    for (const call of seen) {
      const span = tools.find((s) => s.attributes['troupe.task.id'] === call.taskId) as ReadableSpan;
      expect(call.traceContextSpan).toBe(span.spanContext().spanId);
      expect((call.own as unknown as ReadableSpan).parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    }
    expectCoherentTree(named('http request'));
    await runtime.close();
  });

  it("runs the tools a processing step calls in live execute_tool spans under the step's task span", async () => {
    const { tool, seen } = adder();
    const stepModel = scriptedModel({
      plan: () => ({ tasks: [{ id: 'think', description: 'think with tools', kind: 'processing' }] }),
      process: (_task, request) =>
        request.turns?.length ? 'thought' : { toolCalls: [{ name: 'add', arguments: { x: 1, y: 1 } }] },
    });
    const runtime = createRuntime({ log: memoryLog(), model: stepModel, tools: [tool], retry: fastRetry });
    expect((await runtime.run('think').result).status).toBe('completed');
    const task = named('invoke_agent think');
    const call = named('execute_tool add');
    expect(parentOf(call)).toBe(task.spanContext().spanId);
    expect(call.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'add' });
    // The tool ran inside that span: its ToolContext names it, and its own span nests under it.
    expect(seen.map((s) => s.traceContextSpan)).toEqual([call.spanContext().spanId]);
    const own = seen[0]?.own as unknown as ReadableSpan | undefined;
    expect(own?.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(spans().filter((s) => s.name === 'chat scripted' && parentOf(s) === task.spanContext().spanId)).toHaveLength(
      2,
    );
    expectCoherentTree(named('invoke_workflow troupe'));
    await runtime.close();
  });

  it("runs each model call in its span's context, so the client's own spans (HTTP) nest under plan, task or run", async () => {
    const inner = model();
    const parents = new Map<string, string | undefined>();
    const wrapped: Model = {
      name: inner.name,
      complete: (request, options) => {
        const http = trace.getTracer('http-client').startSpan(`POST ${request.purpose}`);
        http.end();
        parents.set(request.purpose, (http as unknown as ReadableSpan).parentSpanContext?.spanId);
        return inner.complete(request, options);
      },
    };
    const { tool } = adder();
    const runtime = createRuntime({ log: memoryLog(), model: wrapped, tools: [tool], retry: fastRetry });
    expect((await runtime.run('add things').result).status).toBe('completed');
    expect(parents.get('plan')).toBe(named('plan').spanContext().spanId);
    expect(parents.get('process')).toBe(named('invoke_agent c').spanContext().spanId);
    expect(parents.get('synthesize')).toBe(named('invoke_workflow troupe').spanContext().spanId);
    await runtime.close();
  });

  it('marks failed tasks and runs as errors with error.type', async () => {
    const failing = defineTool({
      name: 'add',
      description: 'Fails',
      input: z.object({ x: z.number(), y: z.number() }),
      run: () => {
        throw new Error('no adding today');
      },
    });
    const runtime = createRuntime({ log: memoryLog(), model: model(), tools: [failing], retry: fastRetry });
    const result = await runtime.run('add things').result;
    expect(result.status).toBe('failed');
    const run = named('invoke_workflow troupe');
    expect(run.status.code).toBe(2);
    expect(run.attributes['error.type']).toBe('TOOL_FAILED');
    const failedTools = spans().filter((s) => s.name === 'execute_tool add');
    expect(failedTools.length).toBeGreaterThanOrEqual(3);
    for (const s of failedTools) expect(s.status.code).toBe(2);
    expect(spans().find((s) => s.name === 'invoke_agent a')?.attributes['error.type']).toBe('TOOL_FAILED');
    await runtime.close();
  });

  it('traces a resumed run as one tree, with the times the log recorded before the crash', async () => {
    const log = memoryLog();
    const crashed = new RunSession(log, 'run-1');
    const [started] = await crashed.execute({ type: 'start', goal: 'add things' });
    await crashed.execute({ type: 'plan', attempt: 1, tasks: plan });
    await crashed.execute({ type: 'executor', report: { type: 'started', taskId: 'a', attempt: 1 } });
    await new Promise((r) => setTimeout(r, 5));
    const [doneA] = await crashed.execute({
      type: 'executor',
      report: { type: 'completed', taskId: 'a', output: 3, durationMs: 4 },
    });
    await crashed.execute({ type: 'executor', report: { type: 'started', taskId: 'b', attempt: 1 } });
    await new Promise((r) => setTimeout(r, 5));
    const { tool, seen } = adder();
    const runtime = createRuntime({ log, model: model(), tools: [tool], retry: fastRetry });
    const result = await (await runtime.resume('run-1')).result;
    expect(result.status).toBe('completed');
    expect(seen.map((s) => s.taskId)).toEqual(['b']);

    const run = named('invoke_workflow troupe');
    expect(parentOf(run)).toBeUndefined();
    expect(run.attributes['troupe.run.resumed']).toBe(true);
    expect(ms(run.startTime)).toBe(started?.ts);
    const a = named('invoke_agent a');
    expect(ms(a.endTime)).toBe(doneA?.ts);
    // a's tool ran before the crash: its span comes from its event; b's ran here, live.
    const toolA = spans().find((s) => s.name === 'execute_tool add' && parentOf(s) === a.spanContext().spanId);
    expect(toolA && ms(toolA.endTime) - ms(toolA.startTime)).toBe(4);
    const b = named('invoke_agent b');
    expect(b.events.filter((e) => e.name === 'task.started').map((e) => e.attributes?.['troupe.task.attempt'])).toEqual(
      [1, 2],
    );
    expect(spans().filter((s) => s.name === 'execute_tool add' && parentOf(s) === b.spanContext().spanId)).toHaveLength(
      1,
    );
    named('invoke_agent c');
    expectCoherentTree(run);
    await runtime.close();
  });

  it('exports nothing and wraps no tool call when no SDK is registered', async () => {
    trace.disable();
    try {
      const { tool, seen } = adder();
      const runtime = createRuntime({ log: memoryLog(), model: model(), tools: [tool], retry: fastRetry });
      expect((await runtime.run('add things').result).status).toBe('completed');
      expect(seen.map((s) => s.traceContextSpan)).toEqual([undefined, undefined]);
      expect(spans()).toHaveLength(0);
      await runtime.close();
    } finally {
      trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    }
  });
});

describe('trace context in MCP requests', () => {
  it("sends the tool call's traceparent in params._meta beside the idempotency key", async () => {
    const server = fileURLToPath(new URL('../support/mcpFaultServer.mjs', import.meta.url));
    const toolset = await mcpTools({ name: 'fault', command: process.execPath, args: [server] });
    try {
      const echo = toolset.tools.find((t) => t.name === 'fault_echo_meta');
      const span = trace.getTracer('app').startSpan('calling mcp');
      const traceContext = trace.setSpan(context.active(), span);
      const text = await echo?.call(
        {},
        { signal: new AbortController().signal, idempotencyKey: 'k1', runId: 'r', taskId: 't', traceContext },
      );
      span.end();
      const meta = JSON.parse(text as string) as Record<string, string>;
      expect(meta.idempotencyKey).toBe('k1');
      const { traceId, spanId } = span.spanContext();
      expect(meta.traceparent).toBe(`00-${traceId}-${spanId}-01`);
      const without = await echo?.call(
        {},
        { signal: new AbortController().signal, idempotencyKey: 'k2', runId: 'r', taskId: 't' },
      );
      expect(JSON.parse(without as string)).toEqual({ idempotencyKey: 'k2' });
    } finally {
      await toolset.close();
    }
  });
});
