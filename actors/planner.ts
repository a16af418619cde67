import { type Actor, createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import { z } from 'zod';
import { executorMachine } from '../machines/executor.js';
import { plannerMachine } from '../machines/planner.js';
import { ModelOutputError, PlanValidationError, toErrorInfo } from '../src/errors.js';
import { createCompactor } from '../src/model/compaction.js';
import type { ModelRequest } from '../src/model/Model.js';
import { synthesisRequest } from '../src/model/modelSteps.js';
import { planMessages } from '../src/model/prompts.js';
import { parsePlan, planOutputSchema } from '../src/run/parsePlan.js';
import { toolSpecs } from '../src/tools/stepTools.js';
import { askModel } from './askModel.js';
import { fromTaskPool } from './executor.js';
import type { ExecutorDeps } from './executorDeps.js';
import { createReviser } from './replanner.js';

/** What a run's Planner needs. */
export interface PlannerDeps extends ExecutorDeps {
  /** Plans the model may propose before the run fails. */
  maxPlanAttempts: number;
  /** The most tasks a plan may hold. */
  maxTasks: number;
  /** The longest a planning or synthesis call to the model may take. */
  modelTimeoutMs: number;
}

/** The longest slice of a refused model answer kept in `plan.rejected`. */
const keptOutput = 4_000;

const planSchema = { name: 'plan', schema: z.toJSONSchema(planOutputSchema) as Record<string, unknown> };

/**
 * Starts the Planner actor of one run: it plans with the model (re-asking with the reasons
 * when a plan is refused), hands the plan to the executor, and synthesises the answer.
 * Every step is recorded through the run's session before the next one starts.
 */
export function startPlanner(deps: PlannerDeps): Actor<typeof plannerMachine> {
  const { session, model, tools, maxPlanAttempts, maxTasks, onToken } = deps;
  // One compactor per run, shared with the executor, so compactions happen one at a time.
  const compactor =
    deps.compaction === undefined ? undefined : createCompactor(session, model, deps.compaction, onToken);
  const steps = { ...deps, ...(compactor === undefined ? {} : { compactor }) };

  const ask = (request: ModelRequest, signal: AbortSignal) => askModel(deps, request, signal);

  const plan = fromPromise<void>(async ({ signal }) => {
    const specs = toolSpecs(tools.values());
    const { goal } = session.state;
    let feedback: string | undefined;
    for (let attempt = session.state.planAttempts + 1; ; attempt++) {
      let content = '';
      try {
        // A reply the model adapter already refused (cut at its token limit, say) is re-asked like a bad plan.
        const reply = await ask(
          {
            purpose: 'plan',
            goal,
            tools: specs,
            output: planSchema,
            attempt,
            ...(feedback === undefined ? {} : { feedback }),
            messages: planMessages(goal, specs, feedback),
          },
          signal,
        );
        content = reply.content;
        const tasks = parsePlan(content, { tools, maxTasks });
        await session.execute({ type: 'plan', attempt, tasks });
        return;
      } catch (err) {
        if (!(err instanceof ModelOutputError || err instanceof PlanValidationError)) throw err;
        await session.execute({
          type: 'reject_plan',
          attempt,
          error: toErrorInfo(err),
          output: (err instanceof ModelOutputError ? err.output : content).slice(0, keptOutput),
        });
        if (attempt >= maxPlanAttempts) throw err;
        feedback = err.message;
      }
    }
  });

  const synthesize = fromPromise<void>(async ({ signal }) => {
    const reply = await ask(await synthesisRequest(steps, signal), signal);
    await session.execute({ type: 'complete', answer: reply.content });
  });

  const machine = plannerMachine.provide({
    actors: {
      plan,
      synthesize,
      execute: executorMachine.provide({ actors: { pool: fromTaskPool({ ...steps, revise: createReviser(steps) }) } }),
    },
    actions: {
      recordFailure: (_, { error }) => session.submit({ type: 'fail', error }),
      // XState stops the executor (whose aborted tasks record their failures) only after this
      // transition's actions: recording the cancel one microtask later keeps `run.cancelled` last.
      recordCancel: (_, { reason }) => queueMicrotask(() => session.submit({ type: 'cancel', reason })),
    },
    guards: {
      hasPlan: () => session.state.status === 'running',
    },
  });
  const inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined = deps.inspect;
  const actor = createActor(machine, inspect === undefined ? {} : { inspect });
  actor.start();
  return actor;
}
