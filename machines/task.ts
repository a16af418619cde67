import { assign, setup } from 'xstate';
import type { RecordedError } from '../src/events/types.js';

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

/** Events the executor sends a task actor. */
export type TaskMachineEvent =
  | { type: 'START' }
  | { type: 'SUCCEED'; output: unknown; durationMs: number }
  | { type: 'FAIL'; error: RecordedError; retryable: boolean; delayMs: number }
  | { type: 'RETRY' }
  | { type: 'CLARIFY'; question: string }
  | { type: 'ANSWER' }
  | { type: 'ABORT'; error: RecordedError };

/**
 * The lifecycle of one task: `Planned → Running → Completed | NeedsClarification | Failed`.
 * `Running` has `Working` and `Retrying` substates; an answer to a clarification returns the
 * task to `Running`. Pure: the executor supplies the `record*` actions (which append events)
 * and drives work and timing; the chart decides which transitions are legal.
 */
export const taskMachine = setup({
  types: {
    context: {} as TaskMachineContext,
    events: {} as TaskMachineEvent,
    input: {} as TaskMachineInput,
  },
  actions: {
    recordStarted: (_, _params: { taskId: string; attempt: number }) => {},
    recordRetrying: (_, _params: { taskId: string; attempt: number; error: RecordedError; delayMs: number }) => {},
    recordCompleted: (_, _params: { taskId: string; output: unknown; durationMs: number }) => {},
    recordClarification: (_, _params: { taskId: string; question: string }) => {},
    recordFailed: (_, _params: { taskId: string; error: RecordedError }) => {},
  },
  guards: {
    canRetry: ({ context, event }) =>
      event.type === 'FAIL' && event.retryable && context.attempt <= context.maxRetries + context.firstAttempt,
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
      on: { START: 'Running', ABORT: 'Failed' },
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
    Completed: {
      type: 'final',
      entry: {
        type: 'recordCompleted',
        params: ({ context, event }) => {
          const done = event as Extract<TaskMachineEvent, { type: 'SUCCEED' }>;
          return { taskId: context.taskId, output: done.output, durationMs: done.durationMs };
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
