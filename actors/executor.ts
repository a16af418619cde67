import { fromCallback } from 'xstate';
import type { ExecutorMachineEvent, PoolEvent } from '../machines/executor.js';
import type { ReviewDraft, TaskRecorders } from '../machines/task.js';
import { ToolTimeoutError, TroupeError, toErrorInfo } from '../src/errors.js';
import type { RecordedError } from '../src/events/types.js';
import { processStep } from '../src/model/modelSteps.js';
import { type ExecutorReport, isReady, nextStep, releasedBy } from '../src/run/decide.js';
import type { RunSession } from '../src/run/RunSession.js';
import type { TaskState } from '../src/run/state.js';
import { taskInput } from '../src/run/taskInput.js';
import { type Deadline, Deadlines, sleep } from '../src/util/abort.js';
import { backoffDelay, isRetryable } from '../src/util/backoff.js';
import { IdQueue } from '../src/util/IdQueue.js';
import type { ExecutorDeps } from './executorDeps.js';
import { failureReport, swarmSteps } from './swarmSteps.js';
import { startTask, type TaskLife } from './taskLifecycle.js';
import { type ToolCallResult, toolCaller } from './toolCall.js';

type Outcome =
  | {
      kind: 'ok';
      output: unknown;
      durationMs: number;
      call?: Extract<ToolCallResult, { kind: 'ok' }>;
      /** The step's model asked for the rest of the plan to be revised: why. */
      revisePlan?: string;
    }
  | { kind: 'clarify'; question: string }
  | { kind: 'error'; error: RecordedError; retryable: boolean }
  | { kind: 'hold'; review: ReviewDraft };

function questionOf(task: TaskState): string {
  const input = task.input as { question?: unknown } | undefined;
  return typeof input?.question === 'string' ? input.question : task.description;
}

/** The chart's `record*` actions, each recording its event through the run's session. */
export function taskRecorders(session: RunSession): TaskRecorders {
  const report = (r: ExecutorReport) => session.submit({ type: 'executor', report: r });
  return {
    recordStarted: (p) => report({ type: 'started', ...p }),
    recordRetrying: (p) => report({ type: 'retrying', ...p }),
    recordCompleted: (p) => report({ type: 'completed', ...p }),
    recordClarification: (p) => report({ type: 'clarify', ...p }),
    recordFailed: (p) => report(failureReport(session.state, p.taskId, p.error)),
    recordScored: (p) => report({ type: 'scored', ...p }),
    recordReview: (p) => report({ type: 'review', taskId: p.taskId, ...p.review }),
  };
}

/**
 * The executor's pool. A task is taken when a slot frees (at most `concurrency` at once): first
 * tasks released by a completion or woken by an answer, then the next ready task of a lazy scan
 * of the plan, so nothing is queued up front and nothing per task grows with the run. Each task
 * runs through the task chart (`startTask`: compiled, or a live actor under an inspector); one
 * run-level timer serves every attempt's deadline. A task's work is `perform`; tool calls go
 * through `toolCaller`. The pool reports `DRAINED` when every task completed and `FAILED` when
 * the run must fail.
 */
function runTaskPool(
  deps: ExecutorDeps,
  sendBack: (event: ExecutorMachineEvent) => void,
  receive: (listener: (event: PoolEvent) => void) => void,
): () => void {
  const { session, model, tools, concurrency, taskTimeoutMs, retry, swarm } = deps;
  // Also applies reviews recorded for a resumed run that no longer has a Judge configured.
  const steps = swarmSteps(swarm ?? { maxConflicts: 10 }, session);
  // Inputs resolved from references when a task first starts, recorded in its `task.started`;
  // a reference that cannot be resolved fails the task's first attempt instead.
  const resolved = new Map<string, unknown>();
  const refused = new Map<string, unknown>();
  // Steps whose model asked for a revision, recorded with their `task.completed`.
  const requests = new Map<string, string>();
  function prepare(task: TaskState): void {
    try {
      const prepared = taskInput(
        session.state,
        task,
        task.kind === 'tool_call' ? tools.get(task.tool ?? '') : undefined,
      );
      if (prepared.resolved) resolved.set(task.id, prepared.input);
    } catch (err) {
      refused.set(task.id, err);
    }
  }
  const base = taskRecorders(session);
  const recorders: TaskRecorders = {
    ...base,
    recordStarted: (p) => {
      const input = resolved.get(p.taskId);
      resolved.delete(p.taskId);
      const report = { type: 'started' as const, ...p, ...(input === undefined ? {} : { input }) };
      session.submit({ type: 'executor', report });
    },
    recordCompleted: (p) => {
      const revisePlan = requests.size === 0 ? undefined : requests.get(p.taskId);
      if (revisePlan === undefined) return base.recordCompleted(p);
      requests.delete(p.taskId);
      session.submit({ type: 'executor', report: { type: 'completed', ...p, revisePlan } });
    },
  };
  const callTool = toolCaller({
    session,
    tools,
    ...(deps.circuits === undefined ? {} : { circuits: deps.circuits }),
    ...(deps.outcomes === undefined ? {} : { outcomes: deps.outcomes }),
    ...(swarm === undefined ? {} : { gate: steps.gate }),
    ...(deps.tracer === undefined ? {} : { tracer: deps.tracer }),
  });
  const backoff = (attempt: number) =>
    backoffDelay({ initialMs: retry.initialDelayMs, maxMs: retry.maxDelayMs }, attempt);

  async function perform(task: TaskState, limit: Deadline): Promise<Outcome> {
    if (refused.has(task.id)) {
      const refusal = refused.get(task.id);
      refused.delete(task.id);
      throw refusal;
    }
    if (task.kind === 'clarification') {
      if (task.answer === undefined) return { kind: 'clarify', question: questionOf(task) };
      return { kind: 'ok', output: task.answer, durationMs: 0 };
    }
    if (task.kind === 'tool_call') {
      // Without a Judge, budget or commit the outcome completes the task: one event records both.
      const call = await callTool({
        task,
        tool: task.tool ?? '',
        input: task.input ?? {},
        limit,
        deferRecord: swarm === undefined,
      });
      if (call.kind === 'hold') return call;
      return { kind: 'ok', output: call.output, durationMs: call.durationMs, call };
    }
    const started = performance.now();
    // Traced, the step runs in its task's span: the model's HTTP calls and the tools it calls nest there.
    const step = () => processStep(deps, task, limit.signal);
    const traced = deps.tracer === undefined ? step() : deps.tracer.within(task.id, step);
    const reply = await traced.catch((err: unknown) => {
      // Name the model, as planning does, rather than recording a foreign error as UNKNOWN.
      if (err instanceof TroupeError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new TroupeError('MODEL_FAILED', `Model \`${model.name}\` failed on task \`${task.id}\`: ${message}`, {
        cause: err,
      });
    });
    if (reply.clarification !== undefined && task.answer === undefined)
      return { kind: 'clarify', question: reply.clarification };
    const durationMs = performance.now() - started;
    // The reason is the step's result: its dependents and the revision see why.
    if (reply.revisePlan !== undefined)
      return { kind: 'ok', output: reply.revisePlan, durationMs, revisePlan: reply.revisePlan };
    return { kind: 'ok', output: reply.content, durationMs };
  }

  const controller = new AbortController();
  const deadlines = new Deadlines(taskTimeoutMs);
  const active = new Map<string, TaskLife>();
  const waiting = new Map<string, TaskLife>();
  const woken = new IdQueue();
  let scan = session.state.tasks.values();
  let scanning = true;
  let finished = false;

  function finish(event: ExecutorMachineEvent): void {
    if (finished) return;
    finished = true;
    sendBack(event);
  }

  function settle(): void {
    if (finished || active.size > 0) return;
    // A log that refused an event holds less than the live state: nothing more can be recorded.
    const refused = session.logFailure;
    if (refused !== undefined) {
      finish({ type: 'FAILED', error: toErrorInfo(refused) });
      return;
    }
    const next = nextStep(session.state);
    if (next.kind === 'synthesize') {
      session.durable().then(
        () => finish({ type: 'DRAINED' }),
        (err: unknown) => finish({ type: 'FAILED', error: toErrorInfo(err) }),
      );
    } else if (next.kind === 'fail') {
      finish({ type: 'FAILED', error: next.error });
    } else if (next.kind === 'replan') {
      replan(next.reason);
    }
  }

  let replanning = false;
  /** Asks the Planner to revise the plan (past failed tasks, or as steps asked), then scans the revised plan. */
  function replan(reason: string): void {
    if (replanning) return;
    const { revise } = deps;
    if (revise === undefined) {
      finish({ type: 'FAILED', error: { code: 'INVALID_STATE', message: 'No reviser to replan with' } });
      return;
    }
    replanning = true;
    revise(reason, controller.signal).then(
      () => {
        replanning = false;
        scan = session.state.tasks.values();
        scanning = true;
        pump();
      },
      (err: unknown) => {
        if (!controller.signal.aborted) finish({ type: 'FAILED', error: toErrorInfo(err) });
      },
    );
  }

  function nextReady(): string | undefined {
    for (let id = woken.take(); id !== undefined; id = woken.take()) {
      if (!active.has(id)) return id;
    }
    while (scanning) {
      const step = scan.next();
      if (step.done === true) scanning = false;
      else if (isReady(step.value) && !active.has(step.value.id)) return step.value.id;
    }
    return undefined;
  }

  /** Fills free slots with ready tasks; settles the run when nothing is left to run. */
  function pump(): void {
    while (!finished && active.size < concurrency) {
      const id = nextReady();
      if (id === undefined) break;
      runTask(id);
    }
    settle();
  }

  function release(taskId: string): void {
    for (const id of releasedBy(session.state, taskId)) woken.push(id);
  }

  async function attempt(task: TaskState): Promise<Outcome> {
    const limit = deadlines.arm(() => new ToolTimeoutError(`Task \`${task.id}\``, taskTimeoutMs));
    try {
      return await limit.race(perform(task, limit));
    } catch (err) {
      const error = toErrorInfo(err);
      return { kind: 'error', error, retryable: isRetryable(error.code) };
    } finally {
      limit.dispose();
    }
  }

  /** Where a task went after a Judge, review or budget step; resolves `true` when another attempt follows. */
  async function follow(life: TaskLife, taskId: string, delayMs: number): Promise<boolean> {
    if (finished) return false;
    if (life.in('Completed')) {
      release(taskId);
      return false;
    }
    if (life.in('AwaitingReview')) {
      waiting.set(taskId, life);
      return false;
    }
    if (life.in('Running.Retrying')) {
      await sleep(delayMs, controller.signal);
      life.send({ type: 'RETRY' });
      return true;
    }
    return life.in('Running.Working');
  }

  /** Starts a task in a slot (synchronously claimed) and frees the slot when it settles. */
  function runTask(taskId: string): void {
    const task = session.state.tasks.get(taskId);
    if (task === undefined || task.status === 'completed' || task.status === 'failed' || task.status === 'skipped') {
      return;
    }
    // A failure the run's policy does not contain, or a step's request for a revision, stops new dispatches.
    if (session.state.openFailures > 0 || session.state.revisionRequests.length > 0) return;
    // A task in the review queue moves on only once a human decided.
    const reviewed = task.status === 'awaiting_review';
    if (reviewed && task.review?.decision === undefined) return;
    let life = waiting.get(taskId);
    if (life !== undefined) waiting.delete(taskId);
    else life = startTask({ taskId, maxRetries: retry.maxRetries, attempts: task.attempts }, recorders, deps.inspect);
    active.set(taskId, life);
    work(task, life, reviewed).then(
      () => {
        active.delete(taskId);
        pump();
      },
      (err: unknown) => {
        active.delete(taskId);
        if (!controller.signal.aborted) finish({ type: 'FAILED', error: toErrorInfo(err) });
      },
    );
  }

  async function work(task: TaskState, life: TaskLife, reviewed: boolean): Promise<void> {
    const taskId = task.id;
    if (reviewed) {
      const delayMs = backoff(life.attempt);
      await steps.afterReview(life, task, delayMs, controller.signal);
      if (!(await follow(life, taskId, delayMs))) return;
    } else {
      const answered = life.in('NeedsClarification');
      if (!answered) prepare(task);
      life.send({ type: answered ? 'ANSWER' : 'START' });
    }
    for (;;) {
      await session.durable();
      const outcome = await attempt(task);
      if (finished) {
        // The tool's effect happened: record it so a resume returns it instead of calling again.
        if (outcome.kind === 'ok' && outcome.call?.recorded === false) {
          const { tool, idempotencyKey, output } = outcome.call;
          deps.outcomes?.record(session, taskId, tool, idempotencyKey, output);
        }
        return;
      }
      // A request for a revision completes the step at once: its reason is no result to judge or commit.
      if (outcome.kind === 'ok' && (swarm === undefined || outcome.revisePlan !== undefined)) {
        const { output, durationMs, call } = outcome;
        if (outcome.revisePlan !== undefined) requests.set(taskId, outcome.revisePlan);
        life.send(
          call === undefined || call.recorded
            ? { type: 'SUCCEED', output, durationMs }
            : { type: 'SUCCEED', output, durationMs, idempotencyKey: call.idempotencyKey, tool: call.tool },
        );
        release(taskId);
        return;
      }
      if (outcome.kind === 'clarify') {
        life.send({ type: 'CLARIFY', question: outcome.question });
        waiting.set(taskId, life);
        return;
      }
      const delayMs = backoff(life.attempt);
      if (outcome.kind !== 'error') {
        // The Judge, a commit or the budget decides where the task goes; follow it.
        if (outcome.kind === 'ok') await steps.afterSuccess(life, task, outcome, delayMs, controller.signal);
        else life.send({ type: 'HOLD', review: outcome.review });
        if (await follow(life, taskId, delayMs)) continue;
        return;
      }
      life.send({ type: 'FAIL', error: outcome.error, retryable: outcome.retryable, delayMs });
      if (!life.in('Running.Retrying')) return;
      await sleep(delayMs, controller.signal);
      life.send({ type: 'RETRY' });
    }
  }

  receive((event) => {
    if (event.type === 'WAKE') {
      // The plan changed: scan it again from the start (tasks already running are skipped).
      scan = session.state.tasks.values();
      scanning = true;
      pump();
      return;
    }
    const status = session.state.tasks.get(event.taskId)?.status;
    // Also wakes a task that waits for review or an answer in a resumed run, which has no life yet.
    if (
      event.type === 'ANSWER' &&
      (waiting.has(event.taskId) || status === 'awaiting_review' || status === 'needs_clarification')
    ) {
      woken.push(event.taskId);
      pump();
    }
  });
  pump();

  return () => {
    finished = true;
    // A drained pool has nothing left to stop: no error to make, no signal to abort.
    if (active.size === 0 && waiting.size === 0) return;
    const error = { code: 'RUN_CANCELLED', message: 'The run stopped before the task finished' };
    const reason = new TroupeError('RUN_CANCELLED', error.message);
    controller.abort(reason);
    deadlines.abortAll(reason);
    for (const life of [...active.values(), ...waiting.values()]) life.send({ type: 'ABORT', error });
    active.clear();
    waiting.clear();
  };
}

/**
 * The executor's `pool` actor logic, made once: each pool runs the tasks of the run its actor
 * system belongs to, with the dependencies `depsOf` returns for that system.
 */
export function fromTaskPool(depsOf: (system: object) => ExecutorDeps) {
  return fromCallback<PoolEvent, undefined, ExecutorMachineEvent>(({ system, sendBack, receive }) =>
    runTaskPool(depsOf(system), sendBack, receive),
  );
}
