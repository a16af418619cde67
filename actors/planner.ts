import { type Actor, createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import { z } from 'zod';
import { executorMachine } from '../machines/executor.js';
import { plannerMachine } from '../machines/planner.js';
import { ModelOutputError, PlanValidationError, TroupeError, toErrorInfo } from '../src/errors.js';
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

/** What one run's Planner actors share: its dependencies, with the run's compactor and reviser. */
interface PlannerRun {
  deps: PlannerDeps;
  /** The executor's and the synthesis's dependencies (the compactor shared between them). */
  steps: ExecutorDeps;
}

/** Each run's dependencies, found by the actor system its planner, executor and pool belong to. */
const runs = new WeakMap<object, PlannerRun>();

function runOf(system: object): PlannerRun {
  const run = runs.get(system);
  if (run === undefined) throw new TroupeError('INVALID_STATE', 'A Planner actor started outside `startPlanner`');
  return run;
}

const ask = (deps: PlannerDeps, request: ModelRequest, signal: AbortSignal) => askModel(deps, request, signal);

async function plan({ deps }: PlannerRun, signal: AbortSignal): Promise<void> {
  const { session, tools, maxPlanAttempts, maxTasks } = deps;
  const specs = toolSpecs(tools.values());
  const { goal } = session.state;
  let feedback: string | undefined;
  for (let attempt = session.state.planAttempts + 1; ; attempt++) {
    let content = '';
    try {
      // A reply the model adapter already refused (cut at its token limit, say) is re-asked like a bad plan.
      const reply = await ask(
        deps,
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
}

async function synthesize({ deps, steps }: PlannerRun, signal: AbortSignal): Promise<void> {
  const reply = await ask(deps, await synthesisRequest(steps, signal), signal);
  await deps.session.execute({ type: 'complete', answer: reply.content });
}

/**
 * The Planner's chart with troupe's implementations, made once for every run (building a
 * machine costs far more than starting an actor of it); each implementation finds its run by
 * the actor system it runs in.
 */
const plannerRun = plannerMachine.provide({
  actors: {
    plan: fromPromise<void>(({ system, signal }) => plan(runOf(system), signal)),
    synthesize: fromPromise<void>(({ system, signal }) => synthesize(runOf(system), signal)),
    execute: executorMachine.provide({ actors: { pool: fromTaskPool((system) => runOf(system).steps) } }),
  },
  actions: {
    recordFailure: ({ system }, { error }) => runOf(system).deps.session.submit({ type: 'fail', error }),
    // XState stops the executor (whose aborted tasks record their failures) only after this
    // transition's actions: recording the cancel one microtask later keeps `run.cancelled` last.
    recordCancel: ({ system }, { reason }) => {
      const { session } = runOf(system).deps;
      queueMicrotask(() => session.submit({ type: 'cancel', reason }));
    },
  },
});

/**
 * Starts the Planner actor of one run: it plans with the model (re-asking with the reasons
 * when a plan is refused), hands the plan to the executor, and synthesises the answer.
 * Every step is recorded through the run's session before the next one starts.
 */
export function startPlanner(deps: PlannerDeps): Actor<typeof plannerMachine> {
  const { session, model, onToken } = deps;
  // One compactor per run, shared with the executor, so compactions happen one at a time.
  const compactor =
    deps.compaction === undefined ? undefined : createCompactor(session, model, deps.compaction, onToken);
  const shared = { ...deps, ...(compactor === undefined ? {} : { compactor }) };
  const inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined = deps.inspect;
  const actor = createActor(plannerRun, {
    input: { planned: session.state.status === 'running' },
    ...(inspect === undefined ? {} : { inspect }),
  });
  runs.set(actor.system, { deps, steps: { ...shared, revise: createReviser(shared) } });
  actor.start();
  return actor;
}
