import { setMaxListeners } from 'node:events';
import { mergeMap, Subject } from 'rxjs';
import { type Actor, createActor, fromCallback, type InspectionEvent, type Observer } from 'xstate';
import type { ExecutorMachineEvent, PoolEvent } from '../machines/executor.js';
import { type ReviewDraft, taskMachine } from '../machines/task.js';
import { ToolTimeoutError, TroupeError, toErrorInfo } from '../src/errors.js';
import type { RecordedError } from '../src/events/types.js';
import type { SwarmDeps } from '../src/judge/swarmOptions.js';
import type { ModelToken } from '../src/model/callModel.js';
import type { CompactionOptions, Compactor } from '../src/model/compaction.js';
import type { Model } from '../src/model/Model.js';
import { processStep } from '../src/model/modelSteps.js';
import type { RunCircuits } from '../src/policies/runCircuits.js';
import { nextStep, readyTasks, releasedBy } from '../src/run/decide.js';
import type { RunSession } from '../src/run/RunSession.js';
import type { TaskState } from '../src/run/state.js';
import type { Tool } from '../src/tools/defineTool.js';
import { idempotencyKey } from '../src/tools/idempotencyKey.js';
import type { OutcomeStore } from '../src/tools/outcomeStore.js';
import { deadline, raceAbort, sleep } from '../src/util/abort.js';
import { failureReport, swarmSteps } from './swarmSteps.js';

/** How failed attempts are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Delay before the first retry; doubled for each further one. */
  initialDelayMs: number;
  /** The longest delay between attempts. */
  maxDelayMs: number;
}

/** What the executor needs to run one run's tasks. */
export interface ExecutorDeps {
  session: RunSession;
  model: Model;
  tools: ReadonlyMap<string, Tool>;
  /** Tasks running at once; further ready tasks wait for a slot (backpressure). */
  concurrency: number;
  taskTimeoutMs: number;
  retry: RetryPolicy;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The run's circuit breakers; absent when none is configured, so tools are called directly. */
  circuits?: RunCircuits;
  /** When set, prompts over the budget are compacted (the Planner builds the compactor). */
  compaction?: CompactionOptions;
  /** The run's compactor, shared by its Planner and executor. */
  compactor?: Compactor;
  /** Receives streamed model text; it never enters the event log. */
  onToken?: (token: ModelToken) => void;
  /** The Judge, budget and global state; absent, results complete as soon as an attempt succeeds. */
  swarm?: SwarmDeps;
  /** Recorded tool outcomes: a call whose key already succeeded returns its output, not run again. */
  outcomes?: OutcomeStore;
  /** Tool calls one processing step may make in all its turns. @default 20 */
  maxToolCalls?: number;
}

type Outcome =
  | { kind: 'ok'; output: unknown; durationMs: number }
  | { kind: 'clarify'; question: string }
  | { kind: 'error'; error: RecordedError; retryable: boolean }
  | { kind: 'hold'; review: ReviewDraft };

type TaskActor = Actor<typeof taskMachine>;

const notRetryable = new Set([
  'TOOL_INPUT_INVALID',
  'RUN_CANCELLED',
  'UNSAFE_INPUT',
  'CONFIG_INVALID',
  'LOG_CLOSED',
  'BUDGET_EXCEEDED',
  'TOOL_CALL_LIMIT',
]);

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}

function questionOf(task: TaskState): string {
  const input = task.input as { question?: unknown } | undefined;
  return typeof input?.question === 'string' ? input.question : task.description;
}

/**
 * The executor's pool: ready tasks flow through `mergeMap(runTask, concurrency)`. Each task
 * gets a task-statechart actor when its slot opens (never all up front, never as children of
 * one machine), its own deadline and an `AbortSignal`; the pool reports `DRAINED` when every
 * task completed and `FAILED` when the run must fail.
 */
export function fromTaskPool(deps: ExecutorDeps) {
  const { session, model, tools, concurrency, taskTimeoutMs, retry, swarm } = deps;
  // Also applies reviews recorded for a resumed run that no longer has a Judge configured.
  const steps = swarmSteps(swarm ?? { maxConflicts: 10 }, session);
  const machine = taskMachine.provide({
    actions: {
      recordStarted: (_, p) => session.submit({ type: 'executor', report: { type: 'started', ...p } }),
      recordRetrying: (_, p) => session.submit({ type: 'executor', report: { type: 'retrying', ...p } }),
      recordCompleted: (_, p) => session.submit({ type: 'executor', report: { type: 'succeeded', ...p } }),
      recordClarification: (_, p) => session.submit({ type: 'executor', report: { type: 'clarify', ...p } }),
      recordFailed: (_, p) =>
        session.submit({ type: 'executor', report: failureReport(session.state, p.taskId, p.error) }),
      recordScored: (_, p) => session.submit({ type: 'executor', report: { type: 'scored', ...p } }),
      recordReview: (_, p) =>
        session.submit({ type: 'executor', report: { type: 'review', taskId: p.taskId, ...p.review } }),
    },
  });
  const actorOptions = deps.inspect === undefined ? {} : { inspect: deps.inspect };

  async function perform(task: TaskState, signal: AbortSignal): Promise<Outcome> {
    const started = performance.now();
    if (task.kind === 'clarification') {
      if (task.answer === undefined) return { kind: 'clarify', question: questionOf(task) };
      return { kind: 'ok', output: task.answer, durationMs: 0 };
    }
    if (task.kind === 'tool_call') {
      const tool = tools.get(task.tool ?? '');
      if (tool === undefined) throw new TroupeError('TOOL_FAILED', `Tool \`${task.tool}\` is not registered`);
      const input = task.input ?? {};
      const hold = swarm === undefined ? undefined : steps.gate(task, tool, input, task.attempts);
      if (hold !== undefined) return { kind: 'hold', review: hold };
      const key = idempotencyKey(session.runId, task.id, tool.name, input);
      const recorded = await deps.outcomes?.lookup(session.runId, key);
      if (recorded !== undefined) return { kind: 'ok', output: recorded.output, durationMs: 0 };
      const output = await (deps.circuits?.guard(tool) ?? tool).call(input, {
        signal,
        idempotencyKey: key,
        runId: session.runId,
        taskId: task.id,
        recordSubAgent: (result) => session.submit({ type: 'record_subagent', taskId: task.id, result }),
      });
      deps.outcomes?.record(session, task.id, tool.name, key, output);
      return { kind: 'ok', output, durationMs: performance.now() - started };
    }
    const reply = await processStep(deps, task, signal).catch((err: unknown) => {
      // Name the model, as planning does, rather than recording a foreign error as UNKNOWN.
      if (err instanceof TroupeError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new TroupeError('MODEL_FAILED', `Model \`${model.name}\` failed on task \`${task.id}\`: ${message}`, {
        cause: err,
      });
    });
    if (reply.clarification !== undefined && task.answer === undefined)
      return { kind: 'clarify', question: reply.clarification };
    return { kind: 'ok', output: reply.content, durationMs: performance.now() - started };
  }

  return fromCallback<PoolEvent, undefined, ExecutorMachineEvent>(({ sendBack, receive }) => {
    const controller = new AbortController();
    // One listener per task in flight: as many as `concurrency`, which is not a leak.
    setMaxListeners(0, controller.signal);
    const active = new Map<string, TaskActor>();
    const waiting = new Map<string, TaskActor>();
    const ready$ = new Subject<string>();
    let finished = false;

    function finish(event: ExecutorMachineEvent): void {
      if (finished) return;
      finished = true;
      sendBack(event);
    }

    function settle(): void {
      if (finished || active.size > 0) return;
      const next = nextStep(session.state);
      if (next.kind === 'synthesize') {
        session.durable().then(
          () => finish({ type: 'DRAINED' }),
          (err: unknown) => finish({ type: 'FAILED', error: toErrorInfo(err) }),
        );
      } else if (next.kind === 'fail') {
        finish({ type: 'FAILED', error: next.error });
      }
    }

    async function attempt(task: TaskState): Promise<Outcome> {
      const limit = deadline(
        controller.signal,
        taskTimeoutMs,
        () => new ToolTimeoutError(`Task \`${task.id}\``, taskTimeoutMs),
      );
      try {
        return await raceAbort(perform(task, limit.signal), limit.signal);
      } catch (err) {
        const error = toErrorInfo(err);
        return { kind: 'error', error, retryable: !notRetryable.has(error.code) };
      } finally {
        limit.dispose();
      }
    }

    /** Where a task went after a Judge, review or budget step; resolves `true` when another attempt follows. */
    async function follow(actor: TaskActor, taskId: string, delayMs: number): Promise<boolean> {
      if (finished) return false;
      const snapshot = actor.getSnapshot();
      if (snapshot.matches('Completed')) {
        for (const id of releasedBy(session.state, taskId)) ready$.next(id);
        return false;
      }
      if (snapshot.matches('AwaitingReview')) {
        waiting.set(taskId, actor);
        return false;
      }
      if (snapshot.matches({ Running: 'Retrying' })) {
        await sleep(delayMs, controller.signal);
        actor.send({ type: 'RETRY' });
        return true;
      }
      return snapshot.matches({ Running: 'Working' });
    }

    async function runTask(taskId: string): Promise<void> {
      const task = session.state.tasks.get(taskId);
      if (
        finished ||
        task === undefined ||
        task.status === 'completed' ||
        task.status === 'failed' ||
        session.state.counts.failed > 0
      ) {
        return;
      }
      // A task in the review queue moves on only once a human decided.
      const reviewed = task.status === 'awaiting_review';
      if (reviewed && task.review?.decision === undefined) return;
      let actor = waiting.get(taskId);
      if (actor !== undefined) {
        waiting.delete(taskId);
        active.set(taskId, actor);
        if (!reviewed) actor.send({ type: 'ANSWER' });
      } else {
        actor = createActor(machine, {
          ...actorOptions,
          input: { taskId, maxRetries: retry.maxRetries, attempts: task.attempts },
        });
        active.set(taskId, actor);
        actor.start();
        if (!reviewed) actor.send({ type: 'START' });
      }
      try {
        if (reviewed) {
          const delayMs = backoff(retry, actor.getSnapshot().context.attempt);
          await steps.afterReview(actor, task, delayMs, controller.signal);
          if (!(await follow(actor, taskId, delayMs))) return;
        }
        for (;;) {
          await session.durable();
          const outcome = await attempt(task);
          if (finished) return;
          if (outcome.kind === 'ok' && swarm === undefined) {
            actor.send({ type: 'SUCCEED', output: outcome.output, durationMs: outcome.durationMs });
            for (const id of releasedBy(session.state, taskId)) ready$.next(id);
            return;
          }
          if (outcome.kind === 'clarify') {
            actor.send({ type: 'CLARIFY', question: outcome.question });
            waiting.set(taskId, actor);
            return;
          }
          const delayMs = backoff(retry, actor.getSnapshot().context.attempt);
          if (outcome.kind !== 'error') {
            // The Judge, a commit or the budget decides where the task goes; follow it.
            if (outcome.kind === 'ok') await steps.afterSuccess(actor, task, outcome, delayMs, controller.signal);
            else actor.send({ type: 'HOLD', review: outcome.review });
            if (await follow(actor, taskId, delayMs)) continue;
            return;
          }
          actor.send({ type: 'FAIL', error: outcome.error, retryable: outcome.retryable, delayMs });
          if (!actor.getSnapshot().matches({ Running: 'Retrying' })) return;
          await sleep(delayMs, controller.signal);
          actor.send({ type: 'RETRY' });
        }
      } catch (err) {
        if (!controller.signal.aborted) finish({ type: 'FAILED', error: toErrorInfo(err) });
      } finally {
        active.delete(taskId);
        settle();
      }
    }

    const subscription = ready$.pipe(mergeMap((id) => runTask(id), concurrency)).subscribe();
    receive((event) => {
      // Also wakes a task that waits for review in a resumed run, which has no actor yet.
      if (
        event.type === 'ANSWER' &&
        (waiting.has(event.taskId) ||
          session.state.tasks.get(event.taskId)?.status === 'awaiting_review' ||
          // A clarification answered after a resume has no waiting actor yet: it starts afresh.
          session.state.tasks.get(event.taskId)?.status === 'needs_clarification')
      ) {
        ready$.next(event.taskId);
      }
    });
    const initial = readyTasks(session.state);
    for (const id of initial) ready$.next(id);
    if (initial.length === 0) settle();

    return () => {
      finished = true;
      const error = { code: 'RUN_CANCELLED', message: 'The run stopped before the task finished' };
      controller.abort(new TroupeError('RUN_CANCELLED', error.message));
      for (const actor of [...active.values(), ...waiting.values()]) actor.send({ type: 'ABORT', error });
      active.clear();
      waiting.clear();
      subscription.unsubscribe();
    };
  });
}
