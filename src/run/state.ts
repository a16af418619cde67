import type { Attachment, PlannedTask, RecordedError, TaskKind } from '../events/types.js';
import type { ToolCallRequest, ToolCallResult } from '../model/Model.js';

/** Where a task is in its lifecycle (the states of the task statechart). */
export type TaskStatus =
  | 'planned'
  | 'running'
  | 'completed'
  | 'needs_clarification'
  | 'awaiting_review'
  | 'failed'
  | 'skipped';

/** What a run does when a task fails for good (see `RunOptions.onTaskFailure`). */
export type TaskFailurePolicy = 'fail-run' | 'continue' | 'replan';

/** How a run treats failures, recorded in `run.started` so a resume or replay decides the same. */
export interface RunPolicy {
  onTaskFailure: TaskFailurePolicy;
  /** Revisions of the plan the run may make. */
  maxReplans: number;
}

/** The policy of a run whose `run.started` names none (recorded before policies existed). */
export const defaultRunPolicy: RunPolicy = { onTaskFailure: 'fail-run', maxReplans: 2 };

/** Where a run is in its lifecycle. */
export type RunStatus = 'pending' | 'planning' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Model calls and what they used, summed from `model.called` events. */
export interface ModelTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** No calls yet. */
export function emptyTotals(): ModelTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

/** A review a task waits for (or waited for): a judged result in the middle band, or a spend. */
export interface TaskReview {
  readonly id: string;
  readonly kind: 'result' | 'budget';
  readonly score: number | null;
  readonly reasons: readonly string[];
  /** The result waiting for the decision (`result` reviews). */
  readonly output: unknown;
  readonly durationMs: number;
  readonly amountUsd: number | undefined;
  /** The event that asked for it. */
  readonly requestedBy: string;
  readonly requestedAt: number;
  decision?: 'approved' | 'rejected';
  note?: string;
}

/** A tool-calling turn of a processing step, as folded: its calls and the results recorded so far. */
export interface TurnState {
  readonly content: string;
  readonly calls: readonly ToolCallRequest[];
  /** By call id. */
  readonly results: Map<string, ToolCallResult>;
}

/** One task as folded from the log. */
export interface TaskState {
  readonly id: string;
  readonly description: string;
  readonly kind: TaskKind;
  readonly dependsOn: readonly string[];
  readonly tool: string | undefined;
  /** The plan's input; once the task started, its input with every reference resolved. */
  input: unknown;
  /** Whether `input` is the resolved input recorded in `task.started` (references are never resolved twice). */
  inputResolved?: boolean;
  /** The run goes on without this task when it fails (its dependents are skipped). */
  readonly optional?: boolean;
  /** The URLs, files and snippets of the goal the task works on, when the plan named any. */
  readonly attachments?: readonly Attachment[];
  /** A processing task's allow-list of tools, when the plan gave one (absent: all of the run's). */
  readonly tools?: readonly string[];
  /** The turns of the step's current attempt that called tools, oldest first (processing tasks). */
  toolTurns?: TurnState[];
  /** Outputs of the step's successful tool calls by idempotency key, across attempts. */
  toolOutcomes?: Map<string, unknown>;
  status: TaskStatus;
  /** How many times the task has started. */
  attempts: number;
  output?: unknown;
  error?: RecordedError;
  question?: string;
  answer?: string;
  /** The model calls made for this task (processing tasks), once there is one. */
  usage?: ModelTotals;
  /** Whether the run's summary stands for this task's result in prompts (context compaction). */
  compacted?: boolean;
  /** The latest review of this task, once there is one. */
  review?: TaskReview;
  /** Why the Judge or a reviewer rejected the last result: the next attempt is told. */
  feedback?: string;
  /** The errors of earlier attempts, oldest first (from `task.retrying`). */
  history?: RecordedError[];
  /** What the budget judge let this task spend. */
  spentUsd?: number;
  /** Dependencies not completed yet. */
  unmet: number;
  /** Tasks that depend on this one. */
  readonly dependents: string[];
  /** The failed (or skipped) dependency that made this task `skipped`. */
  skippedBecause?: string;
  /** Whether the run has gone past this task's failure: optional, `continue`, or a revision accounted for it. */
  contained?: boolean;
  /** The id of the task's last event: the cause of its next one. */
  lastEventId: string;
}

/** A processing step's request that the rest of the plan be revised. */
export interface RevisionRequest {
  taskId: string;
  reason: string;
}

/** A run as folded from its events: `state = events.reduce(evolve, initialRunState(runId))`. */
export interface RunState {
  readonly runId: string;
  goal: string;
  status: RunStatus;
  planAttempts: number;
  /** How the run treats a task that fails for good. */
  policy: RunPolicy;
  /** How many times the plan was revised (`plan.revised`). */
  revisions: number;
  /** Failed tasks the run has not gone past yet (see `TaskState.contained`). */
  openFailures: number;
  /** Steps' requests for a revision (`plan.revision_requested`) that no `plan.revised` has answered yet. */
  revisionRequests: RevisionRequest[];
  /** Tasks in plan order. */
  readonly tasks: Map<string, TaskState>;
  /** How many tasks are in each status. */
  readonly counts: Record<TaskStatus, number>;
  answer?: string;
  error?: RecordedError;
  /** The summary of compacted context, once the run has been compacted. */
  summary?: string;
  /** Every model call of the run: planning, processing, synthesis, summaries. */
  readonly usage: ModelTotals;
  /** What the budget judge let the run's tasks spend (`budget.spent`). */
  spentUsd: number;
  /** How many events have been folded. */
  events: number;
  /** The id of the run's last event (`null` before the first). */
  lastEventId: string | null;
}

/** The state of a run before its first event. */
export function initialRunState(runId: string): RunState {
  return {
    runId,
    goal: '',
    status: 'pending',
    planAttempts: 0,
    policy: defaultRunPolicy,
    revisions: 0,
    openFailures: 0,
    revisionRequests: [],
    tasks: new Map(),
    counts: { planned: 0, running: 0, completed: 0, needs_clarification: 0, awaiting_review: 0, failed: 0, skipped: 0 },
    usage: emptyTotals(),
    spentUsd: 0,
    events: 0,
    lastEventId: null,
  };
}

/** Builds a task's initial state from its plan entry. */
export function plannedTaskState(task: PlannedTask, causeId: string): TaskState {
  return {
    id: task.id,
    description: task.description,
    kind: task.kind,
    dependsOn: task.dependsOn,
    tool: task.tool,
    input: task.input,
    ...(task.optional === true ? { optional: true } : {}),
    ...(task.attachments === undefined ? {} : { attachments: task.attachments }),
    ...(task.tools === undefined ? {} : { tools: task.tools }),
    status: 'planned',
    attempts: 0,
    unmet: task.dependsOn.length < 2 ? task.dependsOn.length : new Set(task.dependsOn).size,
    dependents: [],
    lastEventId: causeId,
  };
}

/** Whether a run has reached a final status. */
export function isFinished(state: RunState): boolean {
  return state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled';
}
