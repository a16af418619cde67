import type { Context } from '@opentelemetry/api';
import type { ReviewDraft } from '../machines/task.js';
import { TroupeError } from '../src/errors.js';
import type { SubAgentRecord } from '../src/events/types.js';
import type { RunCircuits } from '../src/policies/runCircuits.js';
import type { RunSession } from '../src/run/RunSession.js';
import type { TaskState } from '../src/run/state.js';
import type { Tool, ToolContext } from '../src/tools/defineTool.js';
import { idempotencyKey } from '../src/tools/idempotencyKey.js';
import type { OutcomeStore } from '../src/tools/outcomeStore.js';
import { storableOutput } from '../src/tools/storableOutput.js';
import { subAgentRecorder } from '../src/tools/subAgentRecorder.js';
import type { RunTracer } from '../src/tracing/RunTracer.js';
import type { Deadline } from '../src/util/abort.js';
import type { swarmSteps } from './swarmSteps.js';

/** What calling a tool for a task needs: the run's tools and the policies around each call. */
export interface ToolCallDeps {
  session: RunSession;
  tools: ReadonlyMap<string, Tool>;
  /** The run's circuit breakers (with their fallbacks); absent, tools are called directly. */
  circuits?: RunCircuits;
  /** Recorded outcomes: a call whose key already succeeded returns its output, not run again. */
  outcomes?: OutcomeStore;
  /** The budget gate, when a budget is configured. */
  gate?: ReturnType<typeof swarmSteps>['gate'];
  /** The run's tracer, when an OpenTelemetry SDK is registered: each call runs in an `execute_tool` span. */
  tracer?: RunTracer;
}

/** One tool call a task makes. */
export interface ToolCallRequest {
  task: TaskState;
  /** The registered tool's name. */
  tool: string;
  input: unknown;
  /** The attempt's deadline (`Deadlines.arm`): its signal aborts when it passes or the run stops. */
  limit: Pick<Deadline, 'signal' | 'aborted'>;
  /**
   * Distinguishes several calls of one task (a processing step's n-th call): part of the
   * idempotency key. Absent for a `tool_call` task's one call.
   */
  callId?: string;
  /**
   * Leave the outcome unrecorded and return `recorded: false`: the caller records it with the
   * task's completion (one event instead of two). A call whose signal aborted meanwhile is
   * recorded anyway, since its task will not complete with it.
   */
  deferRecord?: boolean;
}

/** A tool's context; its signal is made only if the tool reads it, and `recordSubAgent` works destructured. */
class CallContext implements ToolContext {
  readonly runId: string;
  readonly taskId: string;
  readonly idempotencyKey: string;
  readonly recordSubAgent: (record: SubAgentRecord) => void;
  private readonly limit: Pick<Deadline, 'signal'>;

  readonly traceContext?: Context;

  constructor(
    session: RunSession,
    taskId: string,
    key: string,
    limit: Pick<Deadline, 'signal'>,
    traceContext: Context | undefined,
  ) {
    if (traceContext !== undefined) this.traceContext = traceContext;
    this.runId = session.runId;
    this.taskId = taskId;
    this.idempotencyKey = key;
    this.limit = limit;
    this.recordSubAgent = subAgentRecorder(session, taskId);
  }

  get signal(): AbortSignal {
    return this.limit.signal;
  }
}

/** How a tool call ended: its output (recorded now, earlier, or left to the caller), or a spend to review first. */
export type ToolCallResult =
  | {
      kind: 'ok';
      output: unknown;
      tool: string;
      idempotencyKey: string;
      /** Whether the outcome is in the log (or on its way there); `false` only with `deferRecord`. */
      recorded: boolean;
      /** How long the call took; 0 when a recorded outcome was returned. */
      durationMs: number;
    }
  | { kind: 'hold'; review: ReviewDraft };

/**
 * The one path every tool call of a run takes, for `tool_call` tasks and for tools a processing
 * step calls: the budget gate, the idempotency key, the recorded outcome (a repeated call
 * returns it, never running the tool again), the circuit breaker with its fallbacks, then the
 * tool itself (input/output validation, rate limit and bulkhead live in `defineTool`), then its
 * output's check against what the log can store (`storableOutput`: junk fails the call with
 * `TOOL_OUTPUT_INVALID`, and the copy it returns is what gets recorded). The caller owns the
 * deadline (`signal`); redaction happens when the outcome is recorded.
 *
 * @example
 * const call = toolCaller({ session, tools, circuits, outcomes });
 * await call({ task, tool: 'search', input: { q: 'x' }, limit });
 * // => { kind: 'ok', output: [...], tool: 'search', idempotencyKey: '…', recorded: true }
 */
export function toolCaller(deps: ToolCallDeps): (request: ToolCallRequest) => Promise<ToolCallResult> {
  const { session, tools, circuits, outcomes, gate, tracer } = deps;
  return async ({ task, tool: name, input, limit, callId, deferRecord }) => {
    const tool = tools.get(name);
    if (tool === undefined) throw new TroupeError('TOOL_FAILED', `Tool \`${name}\` is not registered`);
    const hold = gate?.(task, tool, input, task.attempts);
    if (hold !== undefined) return { kind: 'hold', review: hold };
    const scope = callId === undefined ? task.id : `${task.id}\u0000${callId}`;
    const key = idempotencyKey(session.runId, scope, tool.name, input);
    const known =
      outcomes?.mayHave(session.runId, key) === true ? await outcomes.lookup(session.runId, key) : undefined;
    if (known !== undefined) {
      return { kind: 'ok', output: known.output, tool: tool.name, idempotencyKey: key, recorded: true, durationMs: 0 };
    }
    const started = performance.now();
    const run = (traceContext?: Context) =>
      (circuits?.guard(tool) ?? tool).call(input, new CallContext(session, task.id, key, limit, traceContext));
    const output = storableOutput(
      tool.name,
      await (tracer === undefined ? run() : tracer.toolCall(task.id, tool.name, key, run)),
    );
    const durationMs = performance.now() - started;
    const deferred = outcomes !== undefined && deferRecord === true && !limit.aborted;
    if (outcomes !== undefined && !deferred) outcomes.record(session, task.id, tool.name, key, output);
    return { kind: 'ok', output, tool: tool.name, idempotencyKey: key, recorded: !deferred, durationMs };
  };
}
