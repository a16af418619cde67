import type { TroupeEvent } from '../events/types.js';
import type { RunSession } from '../run/RunSession.js';
import { checkReply } from './checkReply.js';
import type { Model, ModelReply, ModelRequest } from './Model.js';

/** A piece of streamed model text, with where it belongs. Never written to the event log. */
export interface ModelToken {
  runId: string;
  /** The processing task the text is for; absent for plans, syntheses and summaries. */
  taskId?: string;
  purpose: ModelRequest['purpose'];
  delta: string;
}

/** How one recorded model call is made. */
export interface CallOptions {
  signal: AbortSignal;
  /** The processing task the call serves, so its usage adds up per task. */
  taskId?: string;
  /** Receives streamed text (only from models that stream). */
  onToken?: (token: ModelToken) => void;
}

/** A reply and the promise of its `model.called` event being durable. */
export interface RecordedReply {
  reply: ModelReply;
  recorded: Promise<readonly TroupeEvent[]>;
}

/**
 * Asks `model` and records the call in the run's log: each failed attempt as
 * `model.attempt_failed` (as it happens), the answer as `model.called` with usage, cost,
 * attempts and duration. The reply is checked before anything of it is recorded
 * (`checkReply`): a junk reply is a `ModelOutputError` and records no `model.called`.
 * Streamed text goes to `onToken`, not to the log: one event per token would make the log
 * the bottleneck of every streaming run.
 *
 * @example
 * const { reply } = await callModel(session, model, request, { signal, taskId: 'draft' });
 * session.state.tasks.get('draft')?.usage
 * // => { calls: 1, inputTokens: 812, outputTokens: 96, costUsd: 0.00018 }
 */
export async function callModel(
  session: RunSession,
  model: Model,
  request: ModelRequest,
  options: CallOptions,
): Promise<RecordedReply> {
  const { taskId, onToken } = options;
  const started = performance.now();
  const base = { purpose: request.purpose, model: model.name, ...(taskId === undefined ? {} : { taskId }) };
  const raw = await model.complete(request, {
    signal: options.signal,
    onAttempt: (attempt) => session.submit({ type: 'record_model_attempt', attempt: { ...base, ...attempt } }),
    ...(onToken === undefined
      ? {}
      : {
          onToken: (delta: string) =>
            onToken({
              runId: session.runId,
              purpose: request.purpose,
              delta,
              ...(taskId === undefined ? {} : { taskId }),
            }),
        }),
  });
  const reply = checkReply(raw, request, model.name);
  const recorded = session.execute({
    type: 'record_model_call',
    call: {
      ...base,
      usage: reply.usage ?? { inputTokens: 0, outputTokens: 0 },
      durationMs: performance.now() - started,
      costUsd: reply.costUsd ?? 0,
      attempts: reply.attempts ?? 1,
      // The turn is recorded with its calls, so a step resumed mid-turn makes only the missing ones.
      ...(reply.toolCalls === undefined || reply.clarification !== undefined
        ? {}
        : {
            toolCalls: reply.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })),
            text: reply.content,
          }),
    },
  });
  // A log failure surfaces at the run's next `durable()`; nobody need await this one.
  recorded.catch(() => undefined);
  return { reply, recorded };
}
