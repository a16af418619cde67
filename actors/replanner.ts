import { z } from 'zod';
import { ModelOutputError, PlanValidationError, toErrorInfo } from '../src/errors.js';
import type { RevisionContext } from '../src/model/Model.js';
import { revisionMessages } from '../src/model/revisionPrompt.js';
import { parseRevision, revisionOutputSchema } from '../src/run/parseRevision.js';
import type { RunState } from '../src/run/state.js';
import type { Tool } from '../src/tools/defineTool.js';
import { toolSpecs } from '../src/tools/stepTools.js';
import { type AskDeps, askModel } from './askModel.js';

/** What revising a running plan needs. */
export interface ReviserDeps extends AskDeps {
  tools: ReadonlyMap<string, Tool>;
  /** Answers the model may give per revision before the run fails. */
  maxPlanAttempts: number;
  maxTasks: number;
}

/** Revises the rest of a running plan for `reason`; rejects (failing the run) when every answer was refused. */
export type Reviser = (reason: string, signal: AbortSignal) => Promise<void>;

/** The longest slice of a refused model answer kept in `plan.rejected`. */
const keptOutput = 4_000;

const revisionSchema = {
  name: 'revision',
  schema: z.toJSONSchema(revisionOutputSchema, { io: 'input' }) as Record<string, unknown>,
};

function contextOf(state: RunState, reason: string): RevisionContext {
  return {
    reason,
    tasks: [...state.tasks.values()].map((t) => ({
      id: t.id,
      description: t.description,
      kind: t.kind,
      status: t.status,
      dependsOn: t.dependsOn,
      ...(t.status === 'completed' ? { output: t.output } : {}),
      ...(t.error === undefined || t.status !== 'failed' ? {} : { error: t.error }),
    })),
  };
}

/**
 * The Planner's reviser: asks the model to revise the tasks not yet started (purpose `plan`
 * with a `revision` context), validates the answer with `parseRevision`, and records
 * `plan.revised`. A refused answer is recorded as `plan.rejected` (with `revision`) and
 * re-asked with the reasons, up to `maxPlanAttempts` times; then the last refusal is thrown.
 *
 * @example
 * const revise = createReviser(deps);
 * await revise('Task `research` failed: TOOL_TIMEOUT', signal);
 * // => a plan.revised event in the log
 */
export function createReviser(deps: ReviserDeps): Reviser {
  const { session, tools, maxPlanAttempts, maxTasks } = deps;
  return async (reason, signal) => {
    const specs = toolSpecs(tools.values());
    const { goal } = session.state;
    let feedback: string | undefined;
    for (let attempt = 1; ; attempt++) {
      let content = '';
      try {
        const revision = contextOf(session.state, reason);
        const reply = await askModel(
          deps,
          {
            purpose: 'plan',
            goal,
            tools: specs,
            output: revisionSchema,
            attempt,
            revision,
            ...(feedback === undefined ? {} : { feedback }),
            messages: revisionMessages(goal, specs, revision, feedback),
          },
          signal,
        );
        content = reply.content;
        const { tasks, dropped } = parseRevision(content, session.state, { tools, maxTasks });
        await session.execute({ type: 'revise', reason, tasks, dropped });
        return;
      } catch (err) {
        if (!(err instanceof ModelOutputError || err instanceof PlanValidationError)) throw err;
        await session.execute({
          type: 'reject_revision',
          attempt,
          error: toErrorInfo(err),
          output: (err instanceof ModelOutputError ? err.output : content).slice(0, keptOutput),
        });
        if (attempt >= maxPlanAttempts) throw err;
        feedback = err.message;
      }
    }
  };
}
