import { createHash } from 'node:crypto';
import type { ReviewDraft } from '../machines/task.js';
import { TroupeError, UnstorableValueError } from '../src/errors.js';
import { describeStorableProblem, toStorable } from '../src/events/storable.js';
import type { RecordedError } from '../src/events/types.js';
import type { SwarmDeps } from '../src/judge/swarmOptions.js';
import type { ExecutorReport } from '../src/run/decide.js';
import type { RunSession } from '../src/run/RunSession.js';
import type { RunState, TaskState } from '../src/run/state.js';
import { updateState } from '../src/state/updateState.js';
import type { Tool } from '../src/tools/defineTool.js';
import type { TaskLife } from './taskLifecycle.js';

/**
 * A review's id: short, stable for the run, task, attempt and kind, so a replay finds the same one.
 *
 * @example
 * reviewIdOf('run-1', 'draft-rust', 1, 'result')
 * // => 'rv-' followed by 12 hex digits, the same on every call
 */
export function reviewIdOf(runId: string, taskId: string, attempt: number, kind: string): string {
  return `rv-${createHash('sha256').update(`${runId}\u0000${taskId}\u0000${attempt}\u0000${kind}`).digest('hex').slice(0, 12)}`;
}

/**
 * The `failed` report of a task: its error, every earlier attempt's error and what the task was.
 *
 * @example
 * failureReport(state, 'fetch', { code: 'TOOL_FAILED', message: '503' })
 * // => { type: 'failed', taskId: 'fetch', error, history: [...earlier, error], task: { description, kind, attempts } }
 */
export function failureReport(state: RunState, taskId: string, error: RecordedError): ExecutorReport {
  const task = state.tasks.get(taskId);
  if (task === undefined) return { type: 'failed', taskId, error };
  return {
    type: 'failed',
    taskId,
    error,
    history: [...(task.history ?? []), error],
    task: {
      description: task.description,
      kind: task.kind,
      ...(task.tool === undefined ? {} : { tool: task.tool }),
      attempts: task.attempts,
    },
  };
}

/**
 * The value a commit writes, as `state.committed` will store it: checked where it enters and
 * copied, so the state and the log hold the same value. One the log could not store fails the
 * task's commit with `UnstorableValueError` (`VALUE_UNSTORABLE`) before anything lands.
 *
 * @example
 * storableCommit('t1', 'count', Number.NaN)
 * // => throws UnstorableValueError: Cannot commit `count` for task `t1`: value is NaN; expected JSON-storable values: …
 */
export function storableCommit(taskId: string, key: string, value: unknown): unknown {
  const stored = toStorable(value);
  if (stored.ok) return stored.value;
  const message = `Cannot commit \`${key}\` for task \`${taskId}\`: ${describeStorableProblem('value', stored)}`;
  throw new UnstorableValueError(message, stored.path === '' ? 'value' : `value.${stored.path}`);
}

/**
 * The steps a task takes beyond "the attempt succeeded" when a Judge, a budget or global
 * state is configured: judge the result, commit it with optimistic concurrency, gate spends.
 * Each step drives the task's actor; the pool reads where the actor went.
 *
 * @example
 * const steps = swarmSteps({ judge, maxConflicts: 10 }, session);
 * await steps.afterSuccess(actor, task, { output, durationMs }, delayMs, signal);
 * actor.in('Completed')
 * // => true when accepted; else the task is in 'Running.Retrying', 'AwaitingReview' or 'Failed'
 */
export function swarmSteps(deps: SwarmDeps, session: RunSession) {
  const report = (r: ExecutorReport) => session.submit({ type: 'executor', report: r });

  /** Commits an accepted result's updates; each conflict is recorded, then the update is re-read and re-applied. */
  async function commit(task: TaskState, output: unknown, signal: AbortSignal): Promise<void> {
    const { commit: toUpdates, globalState } = deps;
    if (toUpdates === undefined || globalState === undefined) return;
    const updates = toUpdates({ runId: session.runId, taskId: task.id, kind: task.kind, tool: task.tool, output });
    for (const update of updates) {
      const apply = async (current: unknown) => storableCommit(task.id, update.key, await update.apply(current));
      await updateState(
        globalState,
        { key: update.key, apply },
        {
          maxConflicts: deps.maxConflicts,
          signal,
          onCommitted: (entry) =>
            report({ type: 'committed', taskId: task.id, key: update.key, version: entry.version, value: entry.value }),
          onConflict: (conflict, attempt) =>
            report({
              type: 'conflicted',
              taskId: task.id,
              key: conflict.key,
              expectedVersion: conflict.expectedVersion,
              actualVersion: conflict.actualVersion,
              attempt,
            }),
        },
      );
    }
  }

  /** Sends an accepted (or approved) result on: commit, then `send` it; a commit that cannot land fails the task. */
  async function land(actor: TaskLife, task: TaskState, output: unknown, signal: AbortSignal, send: () => void) {
    try {
      await commit(task, output, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const error =
        err instanceof TroupeError
          ? { code: err.code, message: err.message }
          : { code: 'UNKNOWN', message: String(err) };
      actor.send({ type: 'FAIL', error, retryable: false, delayMs: 0 });
      return;
    }
    send();
  }

  /** After a successful attempt: judge it (when the Judge applies), commit it, complete it; a rejection waits `delayMs` to retry. */
  async function afterSuccess(
    actor: TaskLife,
    task: TaskState,
    result: { output: unknown; durationMs: number },
    delayMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    const { output, durationMs } = result;
    const { judge } = deps;
    if (judge === undefined || !judge.appliesTo(task)) {
      await land(actor, task, output, signal, () => actor.send({ type: 'SUCCEED', output, durationMs }));
      return;
    }
    actor.send({ type: 'JUDGE' });
    const attempt = actor.attempt;
    const judgement = await judge.evaluate(
      {
        runId: session.runId,
        goal: session.state.goal,
        taskId: task.id,
        description: task.description,
        kind: task.kind,
        tool: task.tool,
        output,
        attempt,
      },
      signal,
    );
    const reasons = judgement.reasons.join('; ') || 'no reason given';
    const verdict = {
      type: 'VERDICT' as const,
      judgement,
      output,
      durationMs,
      error: {
        code: 'JUDGE_REJECTED',
        message: `The Judge scored ${judgement.score} (< ${judge.rejectBelow}): ${reasons}`,
      },
      delayMs,
    };
    if (judgement.verdict === 'accepted') {
      await land(actor, task, output, signal, () => actor.send(verdict));
    } else if (judgement.verdict === 'review') {
      const review: ReviewDraft = {
        reviewId: reviewIdOf(session.runId, task.id, attempt, 'result'),
        kind: 'result',
        score: judgement.score,
        reasons: judgement.reasons,
        output,
        durationMs,
      };
      actor.send({ ...verdict, review });
    } else {
      actor.send(verdict);
    }
  }

  /**
   * Applies a recorded review decision to the task's actor (restored first when the run
   * resumed while the task waited): approve → commit and complete (or, for a spend, run the
   * tool); reject → retry with the reviewer's note, or fail.
   */
  async function afterReview(actor: TaskLife, task: TaskState, delayMs: number, signal: AbortSignal): Promise<void> {
    const review = task.review;
    if (review?.decision === undefined) return;
    if (actor.in('Planned')) actor.send({ type: 'RESTORE_REVIEW' });
    const reviewed = {
      type: 'REVIEWED' as const,
      decision: review.decision,
      kind: review.kind,
      output: review.output,
      durationMs: review.durationMs,
      error: {
        code: review.kind === 'budget' ? 'BUDGET_REJECTED' : 'REVIEW_REJECTED',
        message: `Review \`${review.id}\` rejected: ${review.note ?? review.reasons.join('; ')}`,
      },
      delayMs,
    };
    if (review.decision === 'approved' && review.kind === 'result') {
      await land(actor, task, review.output, signal, () => actor.send(reviewed));
    } else {
      actor.send(reviewed);
    }
  }

  /**
   * Gates a tool call that spends: refused spends throw `BUDGET_EXCEEDED` with the numbers;
   * a spend above the review threshold returns the review to ask for; an allowed spend is
   * recorded (once per task: retries reuse it) before the tool runs.
   */
  function gate(task: TaskState, tool: Tool, input: unknown, attempt: number): ReviewDraft | undefined {
    const { budget } = deps;
    if (budget === undefined || task.spentUsd !== undefined) return undefined;
    const spend = budget.spendOf(tool, input);
    if (spend === undefined) return undefined;
    const decision = budget.check(spend, session.state.spentUsd);
    if (decision.verdict === 'rejected') {
      throw new TroupeError('BUDGET_EXCEEDED', `Task \`${task.id}\` (${tool.name}): ${decision.reason}`);
    }
    const approved = task.review?.kind === 'budget' && task.review.decision === 'approved';
    if (decision.verdict === 'review' && !approved) {
      return {
        reviewId: reviewIdOf(session.runId, task.id, attempt, 'budget'),
        kind: 'budget',
        score: null,
        reasons: [decision.reason],
        durationMs: 0,
        amountUsd: spend.amountUsd,
      };
    }
    budget.record(spend);
    report({
      type: 'spent',
      taskId: task.id,
      tool: tool.name,
      amountUsd: spend.amountUsd,
      ...(spend.counterparty === undefined ? {} : { counterparty: spend.counterparty }),
    });
    return undefined;
  }

  return { afterSuccess, afterReview, gate };
}
