import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { TroupeEvent } from '../events/types.js';
import { codeOf, fail, type LooseEvent, messageOf, num, str } from './spanFields.js';

interface TaskSpan {
  span: Span;
  context: Context;
}

interface PlannedInfo {
  kind: string;
  tool: string | undefined;
  description: string;
}

/** What a run's tracer is told beside the events. */
export interface RunTracerOptions {
  runId: string;
  /** The context the run was started in: its span becomes the run span's parent. */
  parent: Context;
  /** `gen_ai.provider.name` of the run's model calls. */
  provider: string;
  /** Set when the run continues from its log in this process. */
  resumed: boolean;
}

/**
 * Turns one run's events into OpenTelemetry spans named and attributed after the GenAI semantic
 * conventions: `invoke_workflow troupe` (the run) › `plan` (planning) › `invoke_agent <task>` (each
 * task) › `chat <model>` (each model call) and `execute_tool <tool>` (each tool call). Start and end
 * times come from the events (`ts`, `durationMs`), so a run resumed from its log, whose earlier
 * events are fed first, yields one coherent tree with the times things really happened.
 * A tool runs inside a live `execute_tool` span (`toolCall`), so its own spans and outgoing
 * requests nest under it.
 */
export class RunTracer {
  private readonly tracer: Tracer;
  private readonly options: RunTracerOptions;
  private run: Span | undefined;
  private runContext: Context;
  private plan: Span | undefined;
  private readonly tasks = new Map<string, TaskSpan>();
  private readonly planned = new Map<string, PlannedInfo>();
  /** Tasks whose tool ran in a live span here, so their events do not make a second one. */
  private readonly liveTools = new Set<string>();
  /** Idempotency keys of calls traced live, so a `tool.called` event of one adds no second span. */
  private readonly liveCalls = new Set<string>();

  constructor(tracer: Tracer, options: RunTracerOptions) {
    this.tracer = tracer;
    this.options = options;
    this.runContext = options.parent;
  }

  /** Folds one event of the run, in log order. */
  observe(input: TroupeEvent): void {
    const e = input as unknown as LooseEvent;
    switch (e.type) {
      case 'run.started':
        this.startRun(e);
        return;
      case 'plan.created':
      case 'plan.revised':
        this.planCreated(e);
        return;
      case 'plan.rejected':
        this.plan?.addEvent('plan.rejected', { 'error.type': codeOf(e) ?? 'PLAN_INVALID' }, e.ts);
        return;
      case 'model.called':
        this.modelCall(e);
        return;
      case 'model.attempt_failed':
        this.modelAttemptFailed(e);
        return;
      case 'task.started':
        this.taskStarted(e);
        return;
      case 'task.completed':
        this.taskEnded(e, undefined);
        return;
      case 'task.failed':
      case 'task.skipped':
        this.taskEnded(e, e.type === 'task.failed' ? 'TASK_FAILED' : 'TASK_SKIPPED');
        return;
      case 'tool.called':
        this.recordedToolCall(e);
        return;
      case 'subagent.completed':
        this.subAgent(e);
        return;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        this.endRun(e);
        return;
      default:
        if (e.taskId !== undefined) this.tasks.get(e.taskId)?.span.addEvent(e.type, this.eventAttributes(e), e.ts);
    }
  }

  /** The context work for `taskId` runs in: its task span, or the run's before the task has one. */
  contextFor(taskId: string): Context {
    return this.tasks.get(taskId)?.context ?? this.runContext;
  }

  /** Runs `work` with `taskId`'s context active, so spans it starts (HTTP, tools) nest in the task's. */
  within<T>(taskId: string, work: () => T): T {
    return context.with(this.contextFor(taskId), work);
  }

  /** The context of a model call made outside any task: the plan's span while planning, else the run's. */
  contextOfCall(purpose: string): Context {
    return purpose === 'plan' && this.plan !== undefined ? trace.setSpan(this.runContext, this.plan) : this.runContext;
  }

  /** Runs a Planner's model call (`purpose`) with `contextOfCall` active, so its HTTP spans nest there. */
  withinCall<T>(purpose: string, work: () => T): T {
    return context.with(this.contextOfCall(purpose), work);
  }

  /**
   * Runs a tool call inside a live `execute_tool` span under its task's span; `call` receives the
   * span's context (for `ToolContext.traceContext`) and runs with it active.
   */
  toolCall<T>(taskId: string, tool: string, callId: string, call: (traceContext: Context) => Promise<T>): Promise<T> {
    this.liveTools.add(taskId);
    this.liveCalls.add(callId);
    const parent = this.contextFor(taskId);
    const span = this.tracer.startSpan(
      `execute_tool ${tool}`,
      { kind: SpanKind.INTERNAL, attributes: this.toolAttributes(tool, callId, taskId) },
      parent,
    );
    const active = trace.setSpan(parent, span);
    return context
      .with(active, () => call(active))
      .then(
        (value) => {
          span.end();
          return value;
        },
        (err: unknown) => {
          const code =
            typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : 'TOOL_FAILED';
          span.setAttribute('error.type', code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          span.end();
          throw err;
        },
      );
  }

  private startRun(e: LooseEvent): void {
    if (this.run !== undefined) return;
    const { runId, resumed } = this.options;
    this.run = this.tracer.startSpan(
      'invoke_workflow troupe',
      {
        kind: SpanKind.INTERNAL,
        startTime: e.ts,
        attributes: {
          'gen_ai.operation.name': 'invoke_workflow',
          'gen_ai.workflow.name': 'troupe',
          'gen_ai.conversation.id': runId,
          'troupe.run.id': runId,
          ...(resumed ? { 'troupe.run.resumed': true } : {}),
        },
      },
      this.options.parent,
    );
    this.runContext = trace.setSpan(this.options.parent, this.run);
    this.plan = this.tracer.startSpan(
      'plan',
      { kind: SpanKind.INTERNAL, startTime: e.ts, attributes: { 'gen_ai.operation.name': 'plan' } },
      this.runContext,
    );
  }

  private planCreated(e: LooseEvent): void {
    const tasks = Array.isArray(e.tasks) ? (e.tasks as Record<string, unknown>[]) : [];
    for (const t of tasks) {
      const id = str(t.id);
      if (id !== undefined)
        this.planned.set(id, {
          kind: str(t.kind) ?? 'unknown',
          tool: str(t.tool),
          description: str(t.description) ?? '',
        });
    }
    if (this.plan !== undefined) {
      this.plan.setAttribute('troupe.plan.tasks', tasks.length);
      this.plan.end(e.ts);
      this.plan = undefined;
    } else this.run?.addEvent(e.type, { 'troupe.plan.tasks': tasks.length }, e.ts);
  }

  private parentOfModelCall(e: LooseEvent): Context {
    return e.taskId === undefined ? this.contextOfCall(String(e.purpose)) : this.contextFor(e.taskId);
  }

  private modelCall(e: LooseEvent): void {
    const model = str(e.model) ?? 'unknown';
    const usage = (e.usage ?? {}) as { inputTokens?: unknown; outputTokens?: unknown };
    const span = this.tracer.startSpan(
      `chat ${model}`,
      {
        kind: SpanKind.CLIENT,
        startTime: e.ts - num(e.durationMs),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': this.options.provider,
          'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': num(usage.inputTokens),
          'gen_ai.usage.output_tokens': num(usage.outputTokens),
          'troupe.model.purpose': str(e.purpose) ?? 'unknown',
          'troupe.model.attempts': num(e.attempts) || 1,
          'troupe.cost_usd': num(e.costUsd),
        },
      },
      this.parentOfModelCall(e),
    );
    span.end(e.ts);
  }

  /** A failed HTTP attempt: an event when it is retried, an error span when the call gave up. */
  private modelAttemptFailed(e: LooseEvent): void {
    const model = str(e.model) ?? 'unknown';
    const parent = trace.getSpan(this.parentOfModelCall(e));
    if (e.retryInMs !== undefined) {
      parent?.addEvent(
        'gen_ai.attempt_failed',
        { 'error.type': codeOf(e) ?? 'MODEL_FAILED', 'gen_ai.request.model': model },
        e.ts,
      );
      return;
    }
    const span = this.tracer.startSpan(
      `chat ${model}`,
      {
        kind: SpanKind.CLIENT,
        startTime: e.ts,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': this.options.provider,
          'gen_ai.request.model': model,
          'troupe.model.purpose': str(e.purpose) ?? 'unknown',
        },
      },
      this.parentOfModelCall(e),
    );
    fail(span, e, 'MODEL_FAILED');
    span.end(e.ts);
  }

  private taskStarted(e: LooseEvent): void {
    const taskId = e.taskId as string;
    const open = this.tasks.get(taskId);
    if (open !== undefined) {
      open.span.addEvent('task.started', { 'troupe.task.attempt': num(e.attempt) }, e.ts);
      return;
    }
    const info = this.planned.get(taskId);
    const attributes: Attributes = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': taskId,
      'troupe.task.id': taskId,
      'troupe.task.kind': info?.kind ?? 'unknown',
    };
    if (info !== undefined && info.description !== '') attributes['gen_ai.agent.description'] = info.description;
    if (info?.tool !== undefined) attributes['troupe.task.tool'] = info.tool;
    const span = this.tracer.startSpan(
      `invoke_agent ${taskId}`,
      { kind: SpanKind.INTERNAL, startTime: e.ts, attributes },
      this.runContext,
    );
    span.addEvent('task.started', { 'troupe.task.attempt': num(e.attempt) }, e.ts);
    this.tasks.set(taskId, { span, context: trace.setSpan(this.runContext, span) });
  }

  private taskEnded(e: LooseEvent, failureCode: string | undefined): void {
    const taskId = e.taskId as string;
    const open = this.tasks.get(taskId);
    if (open === undefined) return;
    const info = this.planned.get(taskId);
    const duration = num(e.durationMs);
    // A tool call that ran before this process (a resumed run) is known only from its event.
    if (failureCode === undefined && info?.kind === 'tool_call' && info.tool !== undefined && duration > 0) {
      if (!this.liveTools.has(taskId)) {
        const span = this.tracer.startSpan(
          `execute_tool ${info.tool}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: e.ts - duration,
            attributes: this.toolAttributes(info.tool, taskId, taskId),
          },
          open.context,
        );
        span.end(e.ts);
      }
    }
    if (failureCode !== undefined) fail(open.span, e, failureCode);
    open.span.end(e.ts);
    this.tasks.delete(taskId);
    this.liveTools.delete(taskId);
    if (typeof e.idempotencyKey === 'string') this.liveCalls.delete(e.idempotencyKey);
  }

  /** A tool called by a processing step, recorded once it settled. */
  private recordedToolCall(e: LooseEvent): void {
    if (typeof e.idempotencyKey === 'string' && this.liveCalls.delete(e.idempotencyKey)) return;
    const tool = str(e.tool) ?? 'unknown';
    const parent = e.taskId === undefined ? this.runContext : this.contextFor(e.taskId);
    const span = this.tracer.startSpan(
      `execute_tool ${tool}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: e.ts - num(e.durationMs),
        attributes: this.toolAttributes(tool, str(e.callId) ?? str(e.idempotencyKey) ?? '', e.taskId ?? ''),
      },
      parent,
    );
    if (e.error !== undefined) fail(span, e, 'TOOL_FAILED');
    span.end(e.ts);
  }

  private subAgent(e: LooseEvent): void {
    const parent = e.taskId === undefined ? this.runContext : this.contextFor(e.taskId);
    const span = this.tracer.startSpan(
      'invoke_agent subagent',
      {
        kind: SpanKind.INTERNAL,
        startTime: e.ts - num(e.durationMs),
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': 'subagent',
          'troupe.subagent.index': num(e.index),
          'troupe.subagent.depth': num(e.depth),
          'troupe.cost_usd': num(e.costUsd),
        },
      },
      parent,
    );
    if (e.success === false) fail(span, e, 'SUBAGENT_FAILED');
    span.end(e.ts);
  }

  private endRun(e: LooseEvent): void {
    const code =
      e.type === 'run.failed' ? (codeOf(e) ?? 'RUN_FAILED') : e.type === 'run.cancelled' ? 'RUN_CANCELLED' : undefined;
    for (const open of this.tasks.values()) {
      open.span.setStatus({ code: SpanStatusCode.ERROR, message: `The run ended (${e.type}) before the task did` });
      open.span.end(e.ts);
    }
    this.tasks.clear();
    if (this.plan !== undefined) {
      if (code !== undefined) fail(this.plan, e, code);
      this.plan.end(e.ts);
      this.plan = undefined;
    }
    if (this.run === undefined) return;
    if (code !== undefined) {
      this.run.setAttribute('error.type', code);
      this.run.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(e) ?? str(e.reason) ?? code });
    }
    this.run.end(e.ts);
    this.run = undefined;
  }

  private toolAttributes(tool: string, callId: string, taskId: string): Attributes {
    return {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': tool,
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': callId,
      'troupe.task.id': taskId,
    };
  }

  private eventAttributes(e: LooseEvent): Attributes {
    const attributes: Attributes = {};
    const code = codeOf(e);
    if (code !== undefined) attributes['error.type'] = code;
    if (typeof e.attempt === 'number') attributes['troupe.task.attempt'] = e.attempt;
    if (typeof e.score === 'number') attributes['troupe.judge.score'] = e.score;
    if (typeof e.decision === 'string') attributes['troupe.review.decision'] = e.decision;
    return attributes;
  }
}
