import { ToolTimeoutError, TroupeError } from '../src/errors.js';
import { callModel, type ModelToken } from '../src/model/callModel.js';
import type { Model, ModelReply, ModelRequest } from '../src/model/Model.js';
import type { RunSession } from '../src/run/RunSession.js';
import type { RunTracer } from '../src/tracing/RunTracer.js';
import { deadline, raceAbort } from '../src/util/abort.js';

/** What the Planner's own model calls (plans, revisions, syntheses) need. */
export interface AskDeps {
  session: RunSession;
  model: Model;
  /** The longest one call may take. */
  modelTimeoutMs: number;
  onToken?: (token: ModelToken) => void;
  /** The run's tracer, when an OpenTelemetry SDK is registered: the call runs in the plan's or the run's span. */
  tracer?: RunTracer;
}

/**
 * Asks the model on behalf of the Planner, recorded as `model.called`, within `modelTimeoutMs`.
 * A foreign error becomes `MODEL_FAILED` naming the model and what it was asked.
 *
 * @example
 * const reply = await askModel(deps, { purpose: 'plan', … }, signal);
 * // => { content: '{"tasks":[…]}' }
 */
export async function askModel(deps: AskDeps, request: ModelRequest, signal: AbortSignal): Promise<ModelReply> {
  const { session, model, modelTimeoutMs, onToken } = deps;
  const limit = deadline(
    signal,
    modelTimeoutMs,
    () => new ToolTimeoutError(`Model \`${model.name}\` (${request.purpose})`, modelTimeoutMs),
  );
  try {
    const ask = () =>
      callModel(session, model, request, {
        signal: limit.signal,
        ...(onToken === undefined ? {} : { onToken }),
      });
    const call = deps.tracer === undefined ? ask() : deps.tracer.withinCall(request.purpose, ask);
    return (await raceAbort(call, limit.signal)).reply;
  } catch (err) {
    if (err instanceof TroupeError) throw err;
    throw new TroupeError(
      'MODEL_FAILED',
      `Model \`${model.name}\` failed while asked to ${request.purpose}: ${(err as Error).message ?? String(err)}`,
      { cause: err },
    );
  } finally {
    limit.dispose();
  }
}
