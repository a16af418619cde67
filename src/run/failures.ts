import type { RecordedError } from '../events/types.js';
import type { RunState, TaskState } from './state.js';

/** What a run's open failures and revision requests call for, once none is left running. */
export type FailureStep =
  | { kind: 'none' }
  | { kind: 'replan'; reason: string }
  | { kind: 'fail'; error: RecordedError };

/** Whether the run goes on past this task's failure without a revision: optional, or `continue`. */
export function isContained(state: RunState, task: TaskState): boolean {
  return task.optional === true || state.policy.onTaskFailure === 'continue';
}

/**
 * The tasks a contained failure of `failed` leaves unable to run: its dependents not yet
 * started, and theirs, transitively. Each is skipped naming the failed task.
 */
export function skippedBy(state: RunState, failed: TaskState): TaskState[] {
  const skipped: TaskState[] = [];
  const seen = new Set<string>([failed.id]);
  const queue = [...failed.dependents];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const task = state.tasks.get(id);
    if (task === undefined || task.status !== 'planned') continue;
    skipped.push(task);
    queue.push(...task.dependents);
  }
  return skipped;
}

function describe(task: TaskState): string {
  return `Task \`${task.id}\` failed: ${task.error?.message ?? 'unknown error'}`;
}

/** Why the plan must change, for the model that revises it: each failure with its code, then each step's request. */
function reasonOf(failures: readonly TaskState[], state: RunState): string {
  const lines = failures.map(
    (t) => `Task \`${t.id}\` failed: ${t.error?.code ?? 'TOOL_FAILED'}: ${t.error?.message ?? 'unknown error'}`,
  );
  for (const r of state.revisionRequests)
    lines.push(`Task \`${r.taskId}\` asked for the plan to be revised: ${r.reason}`);
  return lines.join('; ');
}

/** The failures no policy accounted for, in plan order. */
function unresolved(state: RunState): TaskState[] {
  const found: TaskState[] = [];
  if (state.openFailures === 0) return found;
  for (const task of state.tasks.values()) if (task.status === 'failed' && task.contained !== true) found.push(task);
  return found;
}

/**
 * What the run's open failures and steps' revision requests call for: nothing; a revision of
 * the plan answering all of them (while revisions are left: for a failure under `replan`, for
 * a request whatever the policy); or failing the run with the first failure's error. A failure
 * the policy does not replan wins over a request: under `fail-run` the run fails.
 */
export function failureStep(state: RunState): FailureStep {
  const failures = unresolved(state);
  const first = failures[0];
  const requested = state.revisionRequests.length > 0;
  if (first === undefined && !requested) return { kind: 'none' };
  const left = state.revisions < state.policy.maxReplans;
  if (left && (first === undefined || state.policy.onTaskFailure === 'replan')) {
    return { kind: 'replan', reason: reasonOf(failures, state) };
  }
  if (first === undefined) {
    // Steps are offered `revise_plan` only while a revision is left, so a request finds one.
    const [request] = state.revisionRequests;
    return {
      kind: 'fail',
      error: {
        code: 'INVALID_STATE',
        message: `Task \`${request?.taskId}\` asked for a plan revision, but none is left (maxReplans ${state.policy.maxReplans})`,
      },
    };
  }
  const spent =
    state.policy.onTaskFailure === 'replan' ? ` (no revision left: maxReplans ${state.policy.maxReplans})` : '';
  return { kind: 'fail', error: { code: first.error?.code ?? 'TOOL_FAILED', message: `${describe(first)}${spent}` } };
}

/**
 * The error of a run whose tasks all ended but none completed: there is no result to answer
 * from. Names every failed task.
 */
export function nothingLeft(state: RunState): RecordedError {
  const failed = [...state.tasks.values()].filter((t) => t.status === 'failed');
  const first = failed[0];
  return {
    code: first?.error?.code ?? 'TOOL_FAILED',
    message: `No task completed, so the run has no result: ${failed.map(describe).join('; ')}`,
  };
}
