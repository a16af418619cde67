import { type AnyActorLogic, fromPromise, sendTo, setup } from 'xstate';
import type { RecordedError } from '../src/events/types.js';
import { type ExecutorOutput, executorMachine } from './executor.js';

/** Events a run's Planner receives from outside. */
export type PlannerMachineEvent = { type: 'CANCEL'; reason: string } | { type: 'ANSWER'; taskId: string };

function errorOf(error: unknown): RecordedError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    return { code: String(error.code), message: String(error.message) };
  }
  return { code: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

/**
 * The life of one run: `Planning → Executing → Synthesizing → Completed`, or `Failed` with
 * the reason, or `Cancelled`. A resumed run whose plan is recorded (input `planned`) starts
 * at `Executing`. The actor that runs it supplies `plan` and `synthesize` (model
 * calls that record their events), the `executor` and the `record*` actions.
 */
export const plannerMachine = setup({
  types: {
    /** `planned`: the run's log already holds its plan (a resumed run). */
    input: {} as { planned: boolean },
    context: {} as { planned: boolean },
    events: {} as PlannerMachineEvent,
  },
  actors: {
    plan: fromPromise<void>(async () => {}),
    execute: executorMachine as AnyActorLogic,
    synthesize: fromPromise<void>(async () => {}),
  },
  actions: {
    recordFailure: (_, _params: { error: RecordedError }) => {},
    recordCancel: (_, _params: { reason: string }) => {},
  },
  guards: {
    hasPlan: ({ context }) => context.planned,
    executionFailed: ({ event }) => {
      const output = (event as { output?: ExecutorOutput }).output;
      return output !== undefined && !output.ok;
    },
  },
}).createMachine({
  id: 'planner',
  context: ({ input }) => ({ planned: input.planned }),
  initial: 'Starting',
  states: {
    Starting: {
      always: [{ guard: 'hasPlan', target: 'Executing' }, { target: 'Planning' }],
    },
    Planning: {
      invoke: {
        src: 'plan',
        onDone: 'Executing',
        onError: {
          target: 'Failed',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: errorOf(event.error) }) },
        },
      },
    },
    Executing: {
      invoke: {
        id: 'executor',
        src: 'execute',
        onDone: [
          {
            guard: 'executionFailed',
            target: 'Failed',
            actions: {
              type: 'recordFailure',
              params: ({ event }) => ({ error: (event.output as Extract<ExecutorOutput, { ok: false }>).error }),
            },
          },
          { target: 'Synthesizing' },
        ],
        onError: {
          target: 'Failed',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: errorOf(event.error) }) },
        },
      },
      on: { ANSWER: { actions: sendTo('executor', ({ event }) => event) } },
    },
    Synthesizing: {
      invoke: {
        src: 'synthesize',
        onDone: 'Completed',
        onError: {
          target: 'Failed',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: errorOf(event.error) }) },
        },
      },
    },
    Completed: { type: 'final' },
    Failed: { type: 'final' },
    Cancelled: { type: 'final' },
  },
  on: {
    CANCEL: {
      target: '.Cancelled',
      actions: { type: 'recordCancel', params: ({ event }) => ({ reason: event.reason }) },
    },
  },
});
