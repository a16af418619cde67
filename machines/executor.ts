import { type AnyActorLogic, assign, fromCallback, sendTo, setup } from 'xstate';
import type { RecordedError } from '../src/events/types.js';

/** Events the executor receives from its pool and from the Planner. */
export type ExecutorMachineEvent =
  | { type: 'DRAINED' }
  | { type: 'FAILED'; error: RecordedError }
  | { type: 'ANSWER'; taskId: string }
  | { type: 'WAKE' };

/** How execution ended: every task completed, or the run must fail. */
export type ExecutorOutput = { ok: true } | { ok: false; error: RecordedError };

/**
 * The events the pool actor receives: answers to forward to waiting tasks, and `WAKE` after the
 * plan changed (`plan.revised`), so the pool looks for ready tasks again.
 */
export type PoolEvent = { type: 'ANSWER'; taskId: string } | { type: 'WAKE' };

/**
 * The Executor: runs the tasks of one run through its `pool` (an RxJS stream supplied by the
 * executor actor) until every task completed (`DRAINED`) or the run must fail (`FAILED`).
 * Answers to clarifications are forwarded to the pool.
 */
export const executorMachine = setup({
  types: {
    context: {} as { error: RecordedError | undefined },
    events: {} as ExecutorMachineEvent,
    output: {} as ExecutorOutput,
  },
  actors: {
    pool: fromCallback<PoolEvent>(() => undefined) as AnyActorLogic,
  },
}).createMachine({
  id: 'executor',
  context: { error: undefined },
  initial: 'Running',
  states: {
    Running: {
      invoke: { id: 'pool', src: 'pool' },
      on: {
        ANSWER: { actions: sendTo('pool', ({ event }) => event) },
        WAKE: { actions: sendTo('pool', ({ event }) => event) },
        DRAINED: 'Drained',
        FAILED: { target: 'Failed', actions: assign({ error: ({ event }) => event.error }) },
      },
    },
    Drained: { type: 'final' },
    Failed: { type: 'final' },
  },
  output: ({ context }) => (context.error === undefined ? { ok: true } : { ok: false, error: context.error }),
});
