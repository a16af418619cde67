import { type AnyActorLogic, assign, fromPromise, setup } from 'xstate';
import type { RecordedError } from '../src/events/types.js';

/** What the UI actor remembers: the port it serves on, or why it could not. */
export interface UiMachineContext {
  port: number | undefined;
  error: RecordedError | undefined;
}

/** Events the UI actor receives. */
export type UiMachineEvent = { type: 'STOP' };

/**
 * The UI actor's lifecycle: `Starting` (binding the port) → `Serving` → `Stopping` (ending
 * event streams, closing connections) → `Stopped`; `Failed` when the port cannot be bound.
 * Pure: the UI actor supplies `listen` and `close` (node:http) and the routes.
 */
export const uiMachine = setup({
  types: {
    context: {} as UiMachineContext,
    events: {} as UiMachineEvent,
  },
  actors: {
    listen: fromPromise<{ port: number }>(async () => ({ port: 0 })) as AnyActorLogic,
    close: fromPromise<void>(async () => undefined) as AnyActorLogic,
  },
}).createMachine({
  id: 'ui',
  context: { port: undefined, error: undefined },
  initial: 'Starting',
  states: {
    Starting: {
      invoke: {
        src: 'listen',
        onDone: {
          target: 'Serving',
          actions: assign({ port: ({ event }) => (event.output as { port: number }).port }),
        },
        onError: {
          target: 'Failed',
          actions: assign({
            error: ({ event }) => {
              const err = event.error as { code?: unknown; message?: unknown };
              return { code: String(err.code ?? 'INTERNAL'), message: String(err.message ?? err) };
            },
          }),
        },
      },
    },
    Serving: {
      on: { STOP: 'Stopping' },
    },
    Stopping: {
      invoke: { src: 'close', onDone: 'Stopped', onError: 'Stopped' },
    },
    Stopped: { type: 'final' },
    Failed: { type: 'final' },
  },
});
