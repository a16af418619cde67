import { TroupeError } from '../errors.js';
import type { EventDraft, EventPayload, PlannedTask, RecordedError, SubAgentRecord, Usage } from '../events/types.js';
import { type ReviewCommand, reviewEvents, type SwarmReport, swarmEvents } from '../judge/swarmReports.js';
import { failureStep, isContained, nothingLeft, skippedBy } from './failures.js';
import { isFinished, type RunPolicy, type RunState, type TaskState } from './state.js';

/** What an executor reports about one task. */
export type ExecutorReport =
  | {
      type: 'started';
      taskId: string;
      attempt: number;
      /** The task's input with its references resolved, recorded when it first starts. */
      input?: unknown;
    }
  | { type: 'retrying'; taskId: string; attempt: number; delayMs: number; error: RecordedError }
  | {
      type: 'completed';
      taskId: string;
      output: unknown;
      durationMs: number;
      /** The tool call whose outcome this completion records (`tool_call` tasks without a Judge). */
      idempotencyKey?: string;
      tool?: string;
      /** Set when the step's model asked for the rest of the plan to be revised: why (`output` holds it too). */
      revisePlan?: string;
    }
  | { type: 'clarify'; taskId: string; question: string }
  | {
      type: 'failed';
      taskId: string;
      error: RecordedError;
      /** Every attempt's error, oldest first, ending with `error`. */
      history?: RecordedError[];
      task?: { description: string; kind: PlannedTask['kind']; tool?: string; attempts: number };
    }
  | SwarmReport;

/** One finished model call, as the Planner or an executor reports it. */
export interface ModelCallRecord {
  purpose: string;
  model: string;
  /** The processing task the call served. */
  taskId?: string;
  usage: Usage;
  durationMs: number;
  costUsd: number;
  attempts: number;
  /** The tools the reply asked for, when a processing step's reply called tools. */
  toolCalls?: { id: string; name: string; arguments: string }[];
  /** The text beside `toolCalls`. */
  text?: string;
}

/** One settled tool call of a processing step, as `tool.called` records it. */
export type ToolCallRecord = Omit<EventPayload & { type: 'tool.called' }, 'type'>;

/** One failed attempt of a model call. */
export interface ModelAttemptRecord {
  purpose: string;
  model: string;
  taskId?: string;
  attempt: number;
  error: RecordedError;
  status?: number;
  retryInMs?: number;
}

/** What the Planner is asked to do. Each command yields the events that record its effect. */
export type PlannerCommand =
  | { type: 'start'; goal: string; policy?: RunPolicy; model?: { name: string; baseURL?: string } }
  | { type: 'plan'; attempt: number; tasks: readonly PlannedTask[] }
  | { type: 'reject_plan'; attempt: number; error: RecordedError; output: string }
  | { type: 'revise'; reason: string; tasks: readonly PlannedTask[]; dropped: readonly string[] }
  | { type: 'reject_revision'; attempt: number; error: RecordedError; output: string }
  | { type: 'executor'; report: ExecutorReport }
  | { type: 'answer'; taskId: string; answer: string }
  | ReviewCommand
  | { type: 'continue' }
  | { type: 'record_tool_outcome'; taskId: string; tool: string; idempotencyKey: string; output: unknown }
  | { type: 'compact'; summary: string; throughSeq: number; taskIds?: readonly string[] }
  | { type: 'record_model_call'; call: ModelCallRecord }
  | { type: 'record_model_attempt'; attempt: ModelAttemptRecord }
  | { type: 'record_tool_call'; call: ToolCallRecord }
  | { type: 'record_subagent'; taskId: string; result: SubAgentRecord }
  | {
      type: 'record_circuit';
      circuit: string;
      target: 'tool' | 'model';
      to: 'open' | 'half_open' | 'closed';
      failures: number;
      error?: RecordedError;
    }
  | { type: 'record_fallback'; taskId: string; from: string; to: string; error: RecordedError }
  | { type: 'complete'; answer: string }
  | { type: 'fail'; error: RecordedError }
  | { type: 'cancel'; reason: string };

/** What the run should do next, derived from its state. */
export type NextStep =
  | { kind: 'wait' }
  | { kind: 'synthesize' }
  | { kind: 'replan'; reason: string }
  | { kind: 'fail'; error: RecordedError }
  | { kind: 'finished' };

function invalid(state: RunState, message: string): TroupeError {
  return new TroupeError('INVALID_STATE', `Run ${state.runId}: ${message}`);
}

function taskOf(state: RunState, taskId: string): TaskState {
  const task = state.tasks.get(taskId);
  if (task === undefined) throw new TroupeError('TASK_NOT_FOUND', `Run ${state.runId} has no task \`${taskId}\``);
  return task;
}

function modelCause(state: RunState, taskId: string | undefined): string | null {
  const task = taskId === undefined ? undefined : state.tasks.get(taskId);
  return task?.lastEventId ?? state.lastEventId;
}

/**
 * What the run should do next: wait for tasks, revise the plan, synthesise the answer, fail,
 * or nothing more. A failure no policy goes past (`fail-run`, or `replan` with no revision
 * left) stops new dispatches and fails the run once no task is running; a failure under
 * `replan`, or a step's request for a revision, stops them until the plan is revised. When
 * every task has ended, the run synthesises from what completed, and fails when nothing did.
 */
export function nextStep(state: RunState): NextStep {
  if (isFinished(state)) return { kind: 'finished' };
  if (state.status !== 'running') return { kind: 'wait' };
  const { counts } = state;
  if (state.openFailures > 0 || state.revisionRequests.length > 0) {
    const step = failureStep(state);
    if (step.kind === 'replan') return step;
    if (step.kind === 'fail') return counts.running === 0 ? step : { kind: 'wait' };
  }
  if (counts.completed + counts.failed + counts.skipped < state.tasks.size) return { kind: 'wait' };
  return counts.completed > 0 ? { kind: 'synthesize' } : { kind: 'fail', error: nothingLeft(state) };
}

function executorEvents(state: RunState, report: ExecutorReport): EventDraft[] {
  const task = taskOf(state, report.taskId);
  const causationId = task.lastEventId;
  if (task.status === 'completed' || task.status === 'failed' || task.status === 'skipped') {
    throw invalid(state, `task \`${task.id}\` already ended ${task.status}; cannot record \`${report.type}\``);
  }
  if (report.type === 'started' && task.status === 'running' && report.attempt <= task.attempts) {
    throw invalid(
      state,
      `task \`${task.id}\` already started attempt ${task.attempts}; cannot start attempt ${report.attempt}`,
    );
  }
  switch (report.type) {
    case 'started':
      return [
        report.input === undefined
          ? { type: 'task.started', taskId: task.id, attempt: report.attempt, causationId }
          : { type: 'task.started', taskId: task.id, attempt: report.attempt, input: report.input, causationId },
      ];
    case 'retrying':
      return [
        {
          type: 'task.retrying',
          taskId: task.id,
          attempt: report.attempt,
          delayMs: report.delayMs,
          error: report.error,
          causationId,
        },
      ];
    case 'completed': {
      const { type: _, revisePlan, ...completed } = report;
      const done: EventDraft = { type: 'task.completed', ...completed, causationId };
      // One append records both, so a crash leaves either neither or a request a resume answers.
      if (revisePlan === undefined) return [done];
      return [done, { type: 'plan.revision_requested', taskId: task.id, reason: revisePlan, causationId }];
    }
    case 'clarify':
      return [{ type: 'task.clarification_requested', taskId: task.id, question: report.question, causationId }];
    case 'failed': {
      const { type: _, ...failure } = report;
      const failed: EventDraft = { type: 'task.failed', ...failure, causationId };
      if (!isContained(state, task)) return [failed];
      const skips = skippedBy(state, task).map(
        (t): EventDraft => ({ type: 'task.skipped', taskId: t.id, dependency: task.id, causationId: t.lastEventId }),
      );
      return [failed, ...skips];
    }
    default:
      return swarmEvents(task, report);
  }
}

/**
 * The Planner's decision: given a run's state and a command, the events that record what
 * happens. Pure: no I/O, no clock, no randomness; the caller stamps ids and times, appends
 * the events, and folds them with `evolve`. Commands that make no sense in the current state
 * throw a `TroupeError` (`INVALID_STATE`, `TASK_NOT_FOUND`).
 *
 * @example
 * decide(initialRunState('r1'), { type: 'start', goal: 'post hello' })
 * // => [{ type: 'run.started', goal: 'post hello', causationId: null }]
 */
export function decide(state: RunState, command: PlannerCommand): EventDraft[] {
  const causationId = state.lastEventId;
  switch (command.type) {
    case 'start':
      if (state.status !== 'pending') throw invalid(state, `cannot start: it is already ${state.status}`);
      return [
        {
          type: 'run.started',
          goal: command.goal,
          ...(command.policy === undefined ? {} : { policy: command.policy }),
          ...(command.model === undefined ? {} : { model: command.model }),
          causationId,
        },
      ];
    case 'plan':
      if (state.status !== 'planning') throw invalid(state, `cannot accept a plan while ${state.status}`);
      return [{ type: 'plan.created', attempt: command.attempt, tasks: [...command.tasks], causationId }];
    case 'reject_plan':
      if (state.status !== 'planning') throw invalid(state, `cannot reject a plan while ${state.status}`);
      return [
        { type: 'plan.rejected', attempt: command.attempt, error: command.error, output: command.output, causationId },
      ];
    case 'reject_revision': {
      if (state.status !== 'running') throw invalid(state, `cannot reject a revision while ${state.status}`);
      const { attempt, error, output } = command;
      return [{ type: 'plan.rejected', attempt, error, output, revision: state.revisions + 1, causationId }];
    }
    case 'revise':
      if (state.status !== 'running') throw invalid(state, `cannot revise the plan while ${state.status}`);
      return [
        {
          type: 'plan.revised',
          revision: state.revisions + 1,
          reason: command.reason,
          tasks: [...command.tasks],
          dropped: [...command.dropped],
          causationId,
        },
      ];
    case 'executor':
      return executorEvents(state, command.report);
    case 'review':
      return reviewEvents(state, taskOf(state, command.taskId), command);
    case 'answer': {
      const task = taskOf(state, command.taskId);
      if (task.status !== 'needs_clarification' || task.answer !== undefined) {
        throw invalid(state, `task \`${task.id}\` is not waiting for an answer (it is ${task.status})`);
      }
      return [{ type: 'task.answered', taskId: task.id, answer: command.answer, causationId: task.lastEventId }];
    }
    case 'continue': {
      const next = nextStep(state);
      return next.kind === 'fail' ? [{ type: 'run.failed', error: next.error, causationId }] : [];
    }
    case 'compact':
      return [
        {
          type: 'context.compacted',
          summary: command.summary,
          throughSeq: command.throughSeq,
          taskIds: [...(command.taskIds ?? [])],
          causationId,
        },
      ];
    // Calls are recorded even after the run ended (a cancelled run still paid for them); a
    // call for a task names the task's last event as its cause.
    case 'record_model_call':
      return [{ type: 'model.called', ...command.call, causationId: modelCause(state, command.call.taskId) }];
    case 'record_model_attempt':
      return [
        { type: 'model.attempt_failed', ...command.attempt, causationId: modelCause(state, command.attempt.taskId) },
      ];
    // Like model calls, recorded even after the task ended: the sub-agent ran and may have cost.
    case 'record_subagent':
      return [
        {
          type: 'subagent.completed',
          taskId: command.taskId,
          ...command.result,
          causationId: modelCause(state, command.taskId),
        },
      ];
    // A step's tool call ran (or was refused): recorded even if its task ended meanwhile, caused
    // by the step's latest lifecycle event.
    case 'record_tool_call':
      return [{ type: 'tool.called', ...command.call, causationId: taskOf(state, command.call.taskId).lastEventId }];
    // Circuits change state whatever becomes of the call that tripped them: always recorded.
    case 'record_circuit': {
      const { circuit, target } = command;
      if (command.to === 'half_open') return [{ type: 'circuit.half_opened', circuit, target, causationId }];
      if (command.to === 'closed') return [{ type: 'circuit.closed', circuit, target, causationId }];
      const opened = { type: 'circuit.opened' as const, circuit, target, failures: command.failures, causationId };
      return [command.error === undefined ? opened : { ...opened, error: command.error }];
    }
    case 'record_fallback': {
      const { taskId, from, to, error } = command;
      return [{ type: 'task.fell_back', taskId, from, to, error, causationId: modelCause(state, taskId) }];
    }
    // A tool's effect happened: recorded even if its task ended meanwhile, so a retry or a
    // resume returns this outcome instead of calling the tool again.
    case 'record_tool_outcome': {
      const { type: _, ...outcome } = command;
      return [{ type: 'tool.succeeded', ...outcome, causationId: taskOf(state, command.taskId).lastEventId }];
    }
    case 'complete':
      if (state.status !== 'running' || nextStep(state).kind !== 'synthesize') {
        throw invalid(state, 'cannot complete: tasks are still outstanding');
      }
      return [{ type: 'run.completed', answer: command.answer, causationId }];
    case 'fail':
      if (isFinished(state)) return [];
      return [{ type: 'run.failed', error: command.error, causationId }];
    case 'cancel':
      if (isFinished(state)) return [];
      return [{ type: 'run.cancelled', reason: command.reason, causationId }];
  }
}

/**
 * Tasks that can start now: planned with every dependency completed, running ones cut off by
 * a crash, and answered clarifications. Scans every task: use it once when a run starts or
 * resumes; while running, `readyAfter` finds the few an event releases.
 */
export function readyTasks(state: RunState): string[] {
  const ready: string[] = [];
  for (const task of state.tasks.values()) if (isReady(task)) ready.push(task.id);
  return ready;
}

/**
 * Whether a task can start when a run starts or resumes: planned with every dependency
 * completed, running when the run stopped, an answered clarification or a decided review.
 */
export function isReady(task: TaskState): boolean {
  return (
    (task.status === 'planned' && task.unmet === 0) ||
    task.status === 'running' ||
    (task.status === 'needs_clarification' && task.answer !== undefined) ||
    (task.status === 'awaiting_review' && task.review?.decision !== undefined)
  );
}

/** The tasks that a just-folded event made ready to start. */
export function readyAfter(state: RunState, event: EventPayload): string[] {
  switch (event.type) {
    case 'plan.created':
      return event.tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id);
    case 'task.completed':
      return releasedBy(state, event.taskId);
    case 'task.answered':
      return [event.taskId];
    default:
      return [];
  }
}

/** The dependents of a completed task that have no unmet dependency left. */
export function releasedBy(state: RunState, taskId: string): string[] {
  const task = state.tasks.get(taskId);
  if (task === undefined || task.status !== 'completed') return [];
  return task.dependents.filter((id) => {
    const dependent = state.tasks.get(id);
    return dependent !== undefined && dependent.status === 'planned' && dependent.unmet === 0;
  });
}
