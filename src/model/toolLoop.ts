import { ToolCallLimitError } from '../errors.js';
import type { ModelReply, ToolCallRequest, ToolCallResult, ToolTurn } from './Model.js';

/** The default of `maxToolCalls`: tool calls one processing step may make, in all its turns. */
export const defaultMaxToolCalls = 20;

/** A turn a step recorded before it stopped (a crash or a clarification): some results may be missing. */
export interface RecordedTurn {
  content: string;
  calls: readonly ToolCallRequest[];
  /** The results recorded so far, by call id. */
  results: ReadonlyMap<string, ToolCallResult>;
}

/** Where one call sits in its step: what the call path needs to key and record it. */
export interface CallPlace {
  /** The model turn that asked for it, from 1. */
  turn: number;
  /** How many earlier calls of this step asked for the same tool with the same arguments. */
  occurrence: number;
}

/** What `toolLoop` needs: how to ask the model and how to make one call. */
export interface ToolLoopOptions {
  /** The processing task, for the limit's error. */
  taskId: string;
  /** Asks the model once, given the turns so far. */
  ask(turns: readonly ToolTurn[]): Promise<ModelReply>;
  /**
   * Makes one call (checked, limited, recorded) and returns what goes back to the model. It
   * throws only for what must stop the step (cancellation, deadline, budget); every other
   * failure is a result with `ok: false` that the model can recover from.
   */
  call(call: ToolCallRequest, place: CallPlace): Promise<ToolCallResult>;
  /** Tool calls the step may make in all; one more fails it with `ToolCallLimitError`. */
  maxToolCalls: number;
  /** The turns the step recorded before, oldest first (a resumed step continues from them). */
  recorded?: readonly RecordedTurn[];
}

/**
 * The tool-calling loop of one processing step: ask the model; while it asks for tools, make
 * every call of the turn at once and give the results back; return the first reply that asks
 * for none (its answer, a clarification or a request to revise the plan). A step resumed from recorded turns makes only the
 * calls that have no recorded result, then asks on. A turn that would take the step past
 * `maxToolCalls` fails it with `ToolCallLimitError` before any of its calls is made.
 *
 * @example
 * const reply = await toolLoop({ taskId: 'research', ask, call, maxToolCalls: 20 });
 * // => { content: 'The top trend is …' } after as many turns as the model needed
 */
export async function toolLoop(options: ToolLoopOptions): Promise<ModelReply> {
  const { ask, call, maxToolCalls, taskId } = options;
  const turns: ToolTurn[] = [];
  const seen = new Map<string, number>();
  let made = 0;

  async function settle(turn: RecordedTurn): Promise<void> {
    const number = turns.length + 1;
    const results = await Promise.all(
      turn.calls.map((request) => {
        const key = `${request.name}\u0000${request.arguments}`;
        const occurrence = seen.get(key) ?? 0;
        seen.set(key, occurrence + 1);
        return turn.results.get(request.id) ?? call(request, { turn: number, occurrence });
      }),
    );
    made += turn.calls.length;
    turns.push({ content: turn.content, calls: turn.calls, results });
  }

  for (const turn of options.recorded ?? []) await settle(turn);
  for (;;) {
    const reply = await ask(turns);
    const calls = reply.toolCalls ?? [];
    if (calls.length === 0 || reply.clarification !== undefined || reply.revisePlan !== undefined) return reply;
    if (made + calls.length > maxToolCalls) throw new ToolCallLimitError(taskId, maxToolCalls, made + calls.length);
    await settle({ content: reply.content, calls, results: new Map() });
  }
}
