import { assign, setup } from 'xstate';
import type { Judgement, RecordedError } from '../src/events/types.js';

/** A review a task asks for: a judged result in the middle band, or a spend above the threshold. */
export interface ReviewDraft {
  reviewId: string;
  kind: 'result' | 'budget';
  score: number | null;
  reasons: readonly string[];
  output?: unknown;
  durationMs: number;
  amountUsd?: number;
}

/** What a task actor starts from. */
export interface TaskMachineInput {
  taskId: string;
  /** Retries allowed after the first attempt. */
  maxRetries: number;
  /** Attempts already made (non-zero when a run resumes). */
  attempts: number;
}

/** What a task actor remembers. */
export interface TaskMachineContext {
  taskId: string;
  maxRetries: number;
  attempt: number;
  /** Attempts made before this actor's first start (a resumed task keeps counting). */
  firstAttempt: number;
}

/** What the chart's `record*` actions are given; the executor implements each by recording an event. */
export interface TaskRecorders {
  recordStarted(params: { taskId: string; attempt: number }): void;
  recordRetrying(params: { taskId: string; attempt: number; error: RecordedError; delayMs: number }): void;
  recordCompleted(params: {
    taskId: string;
    output: unknown;
    durationMs: number;
    /** The tool call's idempotency key, when the completion also records the tool's outcome. */
    idempotencyKey?: string;
    tool?: string;
  }): void;
  recordClarification(params: { taskId: string; question: string }): void;
  recordFailed(params: { taskId: string; error: RecordedError }): void;
  recordScored(params: { taskId: string; attempt: number; judgement: Judgement }): void;
  recordReview(params: { taskId: string; review: ReviewDraft }): void;
}

/**
 * The task status (the fold's `TaskState.status`, the Monitor's and the dashboard's columns) of
 * each top-level state of the chart: one name per fact from chart to event to status.
 */
export const statusOfState = {
  Planned: 'planned',
  Running: 'running',
  NeedsClarification: 'needs_clarification',
  AwaitingReview: 'awaiting_review',
  Completed: 'completed',
  Failed: 'failed',
} as const;

/** Events the executor sends a task actor. */
export type TaskMachineEvent =
  | { type: 'START' }
  | { type: 'SUCCEED'; output: unknown; durationMs: number; idempotencyKey?: string; tool?: string }
  | { type: 'FAIL'; error: RecordedError; retryable: boolean; delayMs: number }
  | { type: 'RETRY' }
  | { type: 'CLARIFY'; question: string }
  | { type: 'ANSWER' }
  | { type: 'ABORT'; error: RecordedError }
  // The Judge: a successful attempt is scored before it completes.
  | { type: 'JUDGE' }
  | {
      type: 'VERDICT';
      judgement: Judgement;
      output: unknown;
      durationMs: number;
      /** For a rejection: the error recorded (retry or failure); `review` for the middle band. */
      error: RecordedError;
      delayMs: number;
      review?: ReviewDraft;
    }
  // A spend above the budget's review threshold waits for a human before the tool runs.
  | { type: 'HOLD'; review: ReviewDraft }
  // A resumed run's task that was waiting for review when the process stopped.
  | { type: 'RESTORE_REVIEW' }
  | {
      type: 'REVIEWED';
      decision: 'approved' | 'rejected';
      kind: 'result' | 'budget';
      output: unknown;
      durationMs: number;
      error: RecordedError;
      delayMs: number;
    };

type Verdict = Extract<TaskMachineEvent, { type: 'VERDICT' }>;

/** Records the Judge's verdict on the transition it decides. */
const scored = {
  type: 'recordScored',
  params: ({ context, event }: { context: TaskMachineContext; event: Verdict }) => ({
    taskId: context.taskId,
    attempt: context.attempt,
    judgement: event.judgement,
  }),
} as const;

/**
 * The lifecycle of one task: `Planned → Running → Completed | NeedsClarification | Failed`.
 * `Running` has `Working` and `Retrying` substates; an answer to a clarification returns the
 * task to `Running`. With a Judge, a successful attempt goes to `Running.Judging`: accepted →
 * `Completed`, rejected → `Retrying` (counted against the retry limit) or `Failed`, the middle
 * band → `AwaitingReview` until a human approves (`Completed`) or rejects it. A spend above
 * the budget's review threshold also waits in `AwaitingReview` (`HOLD`) before the tool runs. Pure: the executor supplies the `record*` actions (which append events)
 * and drives work and timing; the chart decides which transitions are legal.
 */
export const taskMachine = setup({
  types: {
    context: {} as TaskMachineContext,
    events: {} as TaskMachineEvent,
    input: {} as TaskMachineInput,
  },
  actions: {
    recordStarted: (_, _params: Parameters<TaskRecorders['recordStarted']>[0]) => {},
    recordRetrying: (_, _params: Parameters<TaskRecorders['recordRetrying']>[0]) => {},
    recordCompleted: (_, _params: Parameters<TaskRecorders['recordCompleted']>[0]) => {},
    recordClarification: (_, _params: Parameters<TaskRecorders['recordClarification']>[0]) => {},
    recordFailed: (_, _params: Parameters<TaskRecorders['recordFailed']>[0]) => {},
    recordScored: (_, _params: Parameters<TaskRecorders['recordScored']>[0]) => {},
    recordReview: (_, _params: Parameters<TaskRecorders['recordReview']>[0]) => {},
  },
  guards: {
    canRetry: ({ context, event }) =>
      event.type === 'FAIL' && event.retryable && context.attempt <= context.maxRetries + context.firstAttempt,
    accepted: ({ event }) => event.type === 'VERDICT' && event.judgement.verdict === 'accepted',
    toReview: ({ event }) => event.type === 'VERDICT' && event.review !== undefined,
    // A rejected result counts against the task's retry limit like a failed attempt; a refused spend does not retry.
    canRetryRejected: ({ context, event }) =>
      (event.type === 'VERDICT' || (event.type === 'REVIEWED' && event.kind === 'result')) &&
      context.attempt <= context.maxRetries + context.firstAttempt,
    approvedResult: ({ event }) =>
      event.type === 'REVIEWED' && event.decision === 'approved' && event.kind === 'result',
    approvedSpend: ({ event }) => event.type === 'REVIEWED' && event.decision === 'approved' && event.kind === 'budget',
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
    taskId: input.taskId,
    maxRetries: input.maxRetries,
    attempt: input.attempts,
    firstAttempt: input.attempts,
  }),
  initial: 'Planned',
  states: {
    Planned: {
      on: { START: 'Running', ABORT: 'Failed', RESTORE_REVIEW: 'AwaitingReview' },
    },
    Running: {
      initial: 'Working',
      states: {
        Working: {
          entry: [
            assign({ attempt: ({ context }) => context.attempt + 1 }),
            { type: 'recordStarted', params: ({ context }) => ({ taskId: context.taskId, attempt: context.attempt }) },
          ],
          on: {
            FAIL: [{ guard: 'canRetry', target: 'Retrying' }, { target: '#task.Failed' }],
            JUDGE: 'Judging',
            HOLD: {
              target: '#task.AwaitingReview',
              actions: {
                type: 'recordReview',
                params: ({ context, event }) => ({ taskId: context.taskId, review: event.review }),
              },
            },
          },
        },
        Judging: {
          on: {
            VERDICT: [
              { guard: 'accepted', target: '#task.Completed', actions: scored },
              {
                guard: 'toReview',
                target: '#task.AwaitingReview',
                actions: [
                  scored,
                  {
                    type: 'recordReview',
                    params: ({ context, event }) => ({ taskId: context.taskId, review: event.review as ReviewDraft }),
                  },
                ],
              },
              { guard: 'canRetryRejected', target: 'Retrying', actions: scored },
              { target: '#task.Failed', actions: scored },
            ],
            // An accepted result whose global-state commit could not land.
            FAIL: '#task.Failed',
          },
        },
        Retrying: {
          entry: {
            type: 'recordRetrying',
            params: ({ context, event }) => {
              const fail = event as Extract<TaskMachineEvent, { type: 'FAIL' }>;
              return { taskId: context.taskId, attempt: context.attempt, error: fail.error, delayMs: fail.delayMs };
            },
          },
          on: { RETRY: 'Working' },
        },
      },
      on: { SUCCEED: 'Completed', CLARIFY: 'NeedsClarification', ABORT: 'Failed' },
    },
    NeedsClarification: {
      entry: {
        type: 'recordClarification',
        params: ({ context, event }) => ({
          taskId: context.taskId,
          question: (event as Extract<TaskMachineEvent, { type: 'CLARIFY' }>).question,
        }),
      },
      on: { ANSWER: 'Running', ABORT: 'Failed' },
    },
    AwaitingReview: {
      on: {
        REVIEWED: [
          { guard: 'approvedResult', target: 'Completed' },
          { guard: 'approvedSpend', target: 'Running' },
          { guard: 'canRetryRejected', target: 'Running.Retrying' },
          { target: 'Failed' },
        ],
        // An approved result whose global-state commit could not land.
        FAIL: 'Failed',
        ABORT: 'Failed',
      },
    },
    Completed: {
      type: 'final',
      entry: {
        type: 'recordCompleted',
        params: ({ context, event }) => {
          const done = event as Extract<TaskMachineEvent, { type: 'SUCCEED' }>;
          const completed = { taskId: context.taskId, output: done.output, durationMs: done.durationMs };
          return done.idempotencyKey === undefined
            ? completed
            : { ...completed, idempotencyKey: done.idempotencyKey, tool: done.tool };
        },
      },
    },
    Failed: {
      type: 'final',
      entry: {
        type: 'recordFailed',
        params: ({ context, event }) => ({
          taskId: context.taskId,
          error: (event as Extract<TaskMachineEvent, { type: 'FAIL' | 'ABORT' }>).error,
        }),
      },
    },
  },
});
