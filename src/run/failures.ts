import type { RecordedError } from '../events/types.js';
import type { RunState, TaskState } from './state.js';

/** What a run's failures call for, once none is left running. */
export type FailureStep =
  | { kind: 'none' }
  | { kind: 'replan'; failed: string[] }
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

/** The failures no policy accounted for, in plan order. */
function unresolved(state: RunState): TaskState[] {
  const found: TaskState[] = [];
  if (state.openFailures === 0) return found;
  for (const task of state.tasks.values()) if (task.status === 'failed' && task.contained !== true) found.push(task);
  return found;
}

/**
 * What the run's failures call for: nothing; a revision of the plan (`replan`, while revisions
 * are left); or failing the run with the first failure's error.
 */
export function failureStep(state: RunState): FailureStep {
  const failures = unresolved(state);
  const first = failures[0];
  if (first === undefined) return { kind: 'none' };
  if (state.policy.onTaskFailure === 'replan' && state.revisions < state.policy.maxReplans) {
    return { kind: 'replan', failed: failures.map((t) => t.id) };
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
