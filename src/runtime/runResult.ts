import { fromErrorInfo, TroupeError } from '../errors.js';
import type { RecordedError, TaskKind } from '../events/types.js';
import type { RunSession } from '../run/RunSession.js';
import type { ModelTotals, RunState, TaskState } from '../run/state.js';

interface TaskSummaryBase {
  id: string;
  description: string;
  kind: TaskKind;
  attempts: number;
  /** The model calls made for the task, when there were any. */
  usage?: ModelTotals;
}

/** A task that completed: its `output` is the accepted result. */
export interface CompletedTaskSummary extends TaskSummaryBase {
  status: 'completed';
  output: unknown;
  error?: undefined;
}

/** A task that failed for good: `error` says why. */
export interface FailedTaskSummary extends TaskSummaryBase {
  status: 'failed';
  error: RecordedError;
  output?: undefined;
}

/** A task that never ran because `dependency` failed (or was itself skipped). */
export interface SkippedTaskSummary extends TaskSummaryBase {
  status: 'skipped';
  /** The dependency that failed or was skipped. */
  dependency: string;
  output?: undefined;
  error?: undefined;
}

/** A task a cancelled or failed run left unfinished; `error` is its last attempt's, if any. */
export interface UnfinishedTaskSummary extends TaskSummaryBase {
  status: 'planned' | 'running' | 'needs_clarification' | 'awaiting_review';
  output?: undefined;
  error?: RecordedError;
}

/** One task's outcome as it stood when its run ended. Discriminate on `status`. */
export type TaskSummary = CompletedTaskSummary | FailedTaskSummary | SkippedTaskSummary | UnfinishedTaskSummary;

interface RunResultBase {
  runId: string;
  /** Every task of the run, in plan order (revisions included), with its outcome. */
  tasks: readonly TaskSummary[];
  /** The tasks that failed for good. */
  failed: readonly FailedTaskSummary[];
  /** Every model call of the run: calls, tokens and cost in USD. */
  usage: ModelTotals;
}

/** A run that reached its answer; `failed` lists tasks it went on without (`onTaskFailure: 'continue'`, optional tasks). */
export interface CompletedRun extends RunResultBase {
  status: 'completed';
  /** The synthesised answer. */
  answer: string;
  error?: undefined;
}

/** A run that failed: `error` says why. */
export interface FailedRun extends RunResultBase {
  status: 'failed';
  error: TroupeError;
  answer?: undefined;
}

/** A run that was cancelled: `error` (`RUN_CANCELLED`) gives the reason. */
export interface CancelledRun extends RunResultBase {
  status: 'cancelled';
  error: TroupeError;
  answer?: undefined;
}

/**
 * How a run ended, discriminated on `status`.
 *
 * @example
 * const result = await handle.result;
 * if (result.status === 'completed') console.log(result.answer, result.failed.length);
 * else console.log(result.error.code);
 * // => 'Done: …' 0
 */
export type RunResult = CompletedRun | FailedRun | CancelledRun;

function summarize(t: TaskState): TaskSummary {
  const base: TaskSummaryBase = {
    id: t.id,
    description: t.description,
    kind: t.kind,
    attempts: t.attempts,
    ...(t.usage === undefined ? {} : { usage: { ...t.usage } }),
  };
  switch (t.status) {
    case 'completed':
      return { ...base, status: 'completed', output: t.output };
    case 'failed':
      return { ...base, status: 'failed', error: t.error ?? { code: 'TOOL_FAILED', message: 'unknown error' } };
    case 'skipped':
      return { ...base, status: 'skipped', dependency: t.skippedBecause ?? '' };
    default:
      return { ...base, status: t.status, ...(t.error === undefined ? {} : { error: t.error }) };
  }
}

function summarizeTasks(state: RunState): TaskSummary[] {
  const tasks: TaskSummary[] = [];
  for (const task of state.tasks.values()) tasks.push(summarize(task));
  return tasks;
}

/** The result of a run whose session has ended. */
export function resultOf(session: RunSession): RunResult {
  const { state } = session;
  const tasks = summarizeTasks(state);
  const failed = tasks.filter((t): t is FailedTaskSummary => t.status === 'failed');
  const base = { runId: state.runId, tasks, failed, usage: { ...state.usage } };
  if (state.status === 'completed') return { ...base, status: 'completed', answer: state.answer ?? '' };
  if (state.status === 'cancelled') {
    const reason = state.error?.message ?? 'The run was cancelled';
    return { ...base, status: 'cancelled', error: session.logFailure ?? new TroupeError('RUN_CANCELLED', reason) };
  }
  const error =
    session.logFailure ??
    (state.error === undefined
      ? new TroupeError('RUN_CANCELLED', 'The run was cancelled')
      : fromErrorInfo(state.error));
  return { ...base, status: 'failed', error };
}
