import type { EventPayload } from '../events/types.js';
import type { ToolCallResult } from '../model/Model.js';
import type { TaskState } from './state.js';

type ToolCalled = Extract<EventPayload, { type: 'tool.called' }>;
type ModelCalled = Extract<EventPayload, { type: 'model.called' }>;

/** The result a recorded `tool.called` gave back to the model. */
export function resultOfCall(event: Pick<ToolCalled, 'callId' | 'tool' | 'output' | 'error'>): ToolCallResult {
  const { callId, tool: name } = event;
  return event.error === undefined
    ? { callId, name, ok: true, output: event.output }
    : { callId, name, ok: false, error: event.error };
}

/** Folds a processing step's model turn that asked for tools: a new turn of its attempt. */
export function openTurn(task: TaskState, event: ModelCalled): void {
  if (event.toolCalls === undefined) return;
  task.toolTurns ??= [];
  task.toolTurns.push({ content: event.text ?? '', calls: event.toolCalls, results: new Map() });
}

/**
 * Folds one settled call of a step into its turn, and a successful one's output into the
 * task's outcomes by idempotency key (kept across attempts, so a retried step that repeats a
 * call gets the recorded output instead of a second effect).
 */
export function recordCall(task: TaskState, event: ToolCalled): void {
  task.toolTurns?.[event.turn - 1]?.results.set(event.callId, resultOfCall(event));
  if (event.error === undefined && event.idempotencyKey !== undefined) {
    task.toolOutcomes ??= new Map();
    task.toolOutcomes.set(event.idempotencyKey, event.output);
  }
}
