import type { UnsequencedEvent } from '../events/types.js';
import { foldRevision } from './foldRevision.js';
import {
  emptyTotals,
  type ModelTotals,
  plannedTaskState,
  type RunState,
  type TaskState,
  type TaskStatus,
} from './state.js';
import { openTurn, recordCall } from './toolTurns.js';

function distinct(ids: readonly string[]): readonly string[] {
  return ids.length < 2 ? ids : [...new Set(ids)];
}

function move(state: RunState, task: TaskState, to: TaskStatus): void {
  state.counts[task.status] -= 1;
  state.counts[to] += 1;
  task.status = to;
}

function addCall(totals: ModelTotals, call: Extract<UnsequencedEvent, { type: 'model.called' }>): void {
  totals.calls += 1;
  totals.inputTokens += call.usage.inputTokens;
  totals.outputTokens += call.usage.outputTokens;
  totals.costUsd += call.costUsd;
}

/**
 * Folds one event into a run's state. Deterministic and free of I/O; it updates `state` in
 * place and returns it, so folding a 10,000-task run stays linear (copying the task map on
 * every event would make it quadratic). Events of other runs and unknown tasks are ignored.
 *
 * @example
 * const state = events.reduce(evolve, initialRunState(runId));
 * state.status
 * // => 'completed'
 */
export function evolve(state: RunState, event: UnsequencedEvent): RunState {
  if (event.runId !== state.runId) return state;
  state.events += 1;
  state.lastEventId = event.id;
  switch (event.type) {
    case 'run.started':
      state.goal = event.goal;
      state.status = 'planning';
      if (event.policy !== undefined) state.policy = event.policy;
      return state;
    case 'plan.revised':
      foldRevision(state, event);
      return state;
    // Caused by the step's completion: it leaves the task's lifecycle where it is.
    case 'plan.revision_requested':
      state.revisionRequests.push({ taskId: event.taskId, reason: event.reason });
      return state;
    case 'plan.rejected':
      if (event.revision === undefined) state.planAttempts = event.attempt;
      return state;
    case 'plan.created': {
      state.planAttempts = event.attempt;
      state.status = 'running';
      for (const planned of event.tasks) {
        state.tasks.set(planned.id, plannedTaskState(planned, event.id));
        state.counts.planned += 1;
      }
      // Each distinct dependency counts once, so a plan that names one twice releases its task once.
      for (const planned of event.tasks) {
        const task = state.tasks.get(planned.id) as TaskState;
        for (const dep of distinct(task.dependsOn)) state.tasks.get(dep)?.dependents.push(task.id);
      }
      return state;
    }
    case 'context.compacted':
      state.summary = event.summary;
      for (const id of event.taskIds) {
        const task = state.tasks.get(id);
        if (task !== undefined) task.compacted = true;
      }
      return state;
    case 'model.called': {
      addCall(state.usage, event);
      const task = event.taskId === undefined ? undefined : state.tasks.get(event.taskId);
      if (task !== undefined) {
        task.usage ??= emptyTotals();
        addCall(task.usage, event);
        openTurn(task, event);
      }
      return state;
    }
    // A step's tool call is caused by the step; it does not move the task's lifecycle on.
    case 'tool.called': {
      const task = state.tasks.get(event.taskId);
      if (task !== undefined) recordCall(task, event);
      return state;
    }
    case 'model.attempt_failed':
    // Sub-agents leave the task's state alone: they stay out of its causation chain.
    case 'subagent.completed':
      return state;
    case 'run.completed':
      state.status = 'completed';
      state.answer = event.answer;
      return state;
    case 'run.failed':
      state.status = 'failed';
      state.error = event.error;
      return state;
    case 'run.cancelled':
      state.status = 'cancelled';
      return state;
    // Circuit transitions and fallbacks are a record of resilience, not of the run's progress.
    case 'circuit.opened':
    case 'circuit.half_opened':
    case 'circuit.closed':
    case 'task.fell_back':
      return state;
  }
  const task = state.tasks.get(event.taskId);
  if (task === undefined) return state;
  task.lastEventId = event.id;
  switch (event.type) {
    case 'task.started':
      task.attempts = event.attempt;
      if (event.input !== undefined) {
        task.input = event.input;
        task.inputResolved = true;
      }
      if (task.status !== 'running') move(state, task, 'running');
      break;
    case 'task.retrying':
      task.error = event.error;
      // The next attempt asks the model afresh; recorded outcomes stay in `toolOutcomes`.
      task.toolTurns = undefined;
      task.history ??= [];
      task.history.push(event.error);
      // A reviewer's rejection sends the task from the queue back to work.
      if (task.status === 'awaiting_review') move(state, task, 'running');
      break;
    case 'task.completed':
      task.output = event.output;
      task.error = undefined;
      move(state, task, 'completed');
      for (const id of task.dependents) {
        const dependent = state.tasks.get(id);
        if (dependent !== undefined) dependent.unmet -= 1;
      }
      break;
    case 'task.clarification_requested':
      task.question = event.question;
      move(state, task, 'needs_clarification');
      break;
    case 'task.answered':
      task.answer = event.answer;
      break;
    case 'task.failed':
      task.error = event.error;
      move(state, task, 'failed');
      if (task.optional === true || state.policy.onTaskFailure === 'continue') task.contained = true;
      else state.openFailures += 1;
      break;
    case 'task.skipped':
      task.skippedBecause = event.dependency;
      move(state, task, 'skipped');
      break;
    case 'judge.scored':
      if (event.verdict === 'rejected') task.feedback = event.reasons.join('; ');
      break;
    case 'review.requested':
      task.review = {
        id: event.reviewId,
        kind: event.kind,
        score: event.score,
        reasons: event.reasons,
        output: event.output,
        durationMs: event.durationMs,
        amountUsd: event.amountUsd,
        requestedBy: event.id,
        requestedAt: event.ts,
      };
      move(state, task, 'awaiting_review');
      break;
    case 'review.decided':
      if (task.review === undefined) break;
      task.review.decision = event.decision;
      task.review.note = event.note;
      if (event.decision === 'rejected') task.feedback = event.note ?? task.review.reasons.join('; ');
      break;
    case 'budget.spent':
      task.spentUsd = (task.spentUsd ?? 0) + event.amountUsd;
      state.spentUsd += event.amountUsd;
      break;
    case 'state.committed':
    case 'state.conflicted':
      break;
  }
  return state;
}
