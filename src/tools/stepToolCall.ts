import { setMaxListeners } from 'node:events';
import type { Context } from '@opentelemetry/api';
import { ToolInputError, TroupeError, toErrorInfo } from '../errors.js';
import type { RecordedError } from '../events/types.js';
import type { BudgetPolicy } from '../judge/budgetPolicy.js';
import type { ToolCallRequest, ToolCallResult } from '../model/Model.js';
import type { CallPlace } from '../model/toolLoop.js';
import type { RunCircuits } from '../policies/runCircuits.js';
import type { ToolCallRecord } from '../run/decide.js';
import type { RunSession } from '../run/RunSession.js';
import type { TaskState } from '../run/state.js';
import { resultOfCall } from '../run/toolTurns.js';
import type { RunTracer } from '../tracing/RunTracer.js';
import { raceAbort } from '../util/abort.js';
import type { Tool } from './defineTool.js';
import { idempotencyKey } from './idempotencyKey.js';
import { storableOutput } from './storableOutput.js';
import { subAgentRecorder } from './subAgentRecorder.js';

/** What the calls of a run's processing steps go through: the same parts as a `tool_call` task. */
export interface StepCallDeps {
  session: RunSession;
  /** The run's tools, each already behind its bulkhead and rate limit (`toolLimits`). */
  tools: ReadonlyMap<string, Tool>;
  /** The run's circuit breakers (and fallbacks), when configured. */
  circuits?: RunCircuits;
  /** The budget judge, when configured: a spend it refuses stops the step. */
  budget?: BudgetPolicy;
  /** The run's tracer, when an OpenTelemetry SDK is registered: each call runs in a live `execute_tool` span. */
  tracer?: RunTracer;
}

/** Errors that stop the whole step rather than go back to the model. */
const stopsTheStep = new Set(['BUDGET_EXCEEDED', 'LOG_CLOSED', 'RUN_CANCELLED']);

/** How one call settled, before it is recorded. */
type Settled = { input: unknown; key?: string; cached?: true } & ({ output: unknown } | { error: RecordedError });

type Parsed = { ok: true; input: unknown } | { ok: false; error: RecordedError };

function parseArguments(call: ToolCallRequest): Parsed {
  try {
    return { ok: true, input: JSON.parse(call.arguments === '' ? '{}' : call.arguments) };
  } catch (err) {
    const message = `The arguments of \`${call.name}\` are not JSON (${(err as Error).message}); send one JSON object`;
    return { ok: false, error: toErrorInfo(new ToolInputError(call.name, message)) };
  }
}

/**
 * The "call one tool" path of a processing step, for `toolLoop`: each call the model asks for
 * is checked against the step's tools (an unknown tool, or one outside the step's `tools`
 * allow-list, is `TOOL_UNAVAILABLE`), its arguments parsed and checked by the tool's zod schema
 * (`TOOL_INPUT_INVALID`), returned from the step's recorded outcomes when a call with the same
 * idempotency key already succeeded, gated by the budget, then run through the tool's circuit
 * breaker, bulkhead and rate limit under the step's signal (the task's deadline, `taskTimeoutMs`,
 * bounds every call as it bounds a `tool_call` task) with the idempotency key; an output the log
 * could not store is `TOOL_OUTPUT_INVALID` (`storableOutput`). Every call
 * is recorded as `tool.called` (redacted like every event), and the model is given what was
 * recorded, so a replayed or resumed step sees exactly what the live one saw. Failures go back
 * to the model as tool errors; cancellation, the step's deadline, a refused spend and a closed
 * log stop the step.
 *
 * @example
 * const call = stepCaller({ session, tools }, task, signal);
 * await call({ id: 'c1', name: 'trends', arguments: '{"region":"eu"}' }, { turn: 1, occurrence: 0 });
 * // => { callId: 'c1', name: 'trends', ok: true, output: [{ name: '#rust', score: 0.92 }] }
 */
export function stepCaller(deps: StepCallDeps, task: TaskState, signal: AbortSignal) {
  const { session, tools } = deps;
  // One listener per call in flight (a turn's calls run at once): not a leak.
  setMaxListeners(0, signal);
  const allowed = new Set(task.tools ?? tools.keys());

  function unavailable(name: string): RecordedError {
    const offered = [...allowed].filter((n) => tools.has(n)).join(', ') || 'none';
    const message = tools.has(name)
      ? `Tool \`${name}\` is not among the tools this step may call (${offered})`
      : `There is no tool \`${name}\` (this step may call: ${offered})`;
    return { code: 'TOOL_UNAVAILABLE', message };
  }

  /** Checks a spend with the budget judge: a refusal stops the step, a spend needing review goes back to the model. */
  function gate(tool: Tool, input: unknown): RecordedError | undefined {
    const { budget } = deps;
    if (budget === undefined) return undefined;
    const checked = tool.input.safeParse(input);
    // Bad input is the tool's own check to report.
    if (!checked.success) return undefined;
    const spend = budget.spendOf(tool, checked.data);
    if (spend === undefined) return undefined;
    const decision = budget.check(spend, session.state.spentUsd);
    if (decision.verdict === 'rejected') {
      throw new TroupeError('BUDGET_EXCEEDED', `Task \`${task.id}\` (${tool.name}): ${decision.reason}`);
    }
    if (decision.verdict === 'review') {
      const message = `${decision.reason}; a call inside a step cannot wait for a review (plan a tool_call task for it)`;
      return { code: 'BUDGET_EXCEEDED', message };
    }
    budget.record(spend);
    const { amountUsd, counterparty } = spend;
    const report = { type: 'spent' as const, taskId: task.id, tool: tool.name, amountUsd };
    session.submit({ type: 'executor', report: counterparty === undefined ? report : { ...report, counterparty } });
    return undefined;
  }

  function run(tool: Tool, input: unknown, key: string): Promise<unknown> {
    const guarded = deps.circuits?.guard(tool) ?? tool;
    const call = (traceContext?: Context) =>
      guarded.call(input, {
        signal,
        idempotencyKey: key,
        runId: session.runId,
        taskId: task.id,
        recordSubAgent: subAgentRecorder(session, task.id),
        ...(traceContext === undefined ? {} : { traceContext }),
      });
    const { tracer } = deps;
    return raceAbort(tracer === undefined ? call() : tracer.toolCall(task.id, tool.name, key, call), signal);
  }

  async function settle(call: ToolCallRequest, place: CallPlace): Promise<Settled> {
    const parsed = parseArguments(call);
    const input = parsed.ok ? parsed.input : call.arguments;
    const tool = allowed.has(call.name) ? tools.get(call.name) : undefined;
    if (tool === undefined) return { input, error: unavailable(call.name) };
    if (!parsed.ok) return { input, error: parsed.error };
    const key = idempotencyKey(session.runId, task.id, tool.name, input, place.occurrence);
    if (task.toolOutcomes?.has(key) === true) return { input, key, output: task.toolOutcomes.get(key), cached: true };
    const refusal = gate(tool, input);
    if (refusal !== undefined) return { input, key, error: refusal };
    try {
      return { input, key, output: storableOutput(tool.name, await run(tool, input, key)) };
    } catch (err) {
      if (signal.aborted || (err instanceof TroupeError && stopsTheStep.has(err.code))) throw err;
      return { input, key, error: toErrorInfo(err) };
    }
  }

  return async (call: ToolCallRequest, place: CallPlace): Promise<ToolCallResult> => {
    const started = performance.now();
    const { key, cached, ...settled } = await settle(call, place);
    const record: ToolCallRecord = {
      taskId: task.id,
      callId: call.id,
      turn: place.turn,
      tool: call.name,
      ...settled,
      ...(key === undefined ? {} : { idempotencyKey: key }),
      durationMs: cached === true ? 0 : performance.now() - started,
      ...(cached === true ? { cached } : {}),
    };
    session.submit({ type: 'record_tool_call', call: record });
    // What the log holds (redacted) is what the model sees, live or resumed.
    return task.toolTurns?.[place.turn - 1]?.results.get(call.id) ?? resultOfCall(record);
  };
}
