import { assign, setup } from 'xstate';
import type { RecordedError, TroupeEvent } from '../src/events/types.js';

/** What the Monitor receives: batches of events from the log, and the end of the stream. */
export type MonitorMachineEvent =
  | { type: 'EVENTS'; events: readonly TroupeEvent[] }
  | { type: 'LOG_FAILED'; error: RecordedError }
  | { type: 'LOG_ENDED' }
  | { type: 'STOP' };

/** What the Monitor remembers besides its metrics: why it went blind, if it did. */
export interface MonitorMachineContext {
  error: RecordedError | undefined;
}

/**
 * The Monitor: `Watching` folds each batch of events into metrics (the `fold` action, supplied
 * by the monitor actor); when the log's stream fails it goes `Blind` (metrics frozen, not
 * ready), and `Stopped` when the stream ends or the runtime stops it. It only ever sees events:
 * it never reaches into other actors.
 */
export const monitorMachine = setup({
  types: {
    context: {} as MonitorMachineContext,
    events: {} as MonitorMachineEvent,
  },
  actions: {
    fold: (_, _params: { events: readonly TroupeEvent[] }) => {},
    goneBlind: (_, _params: { error: RecordedError | undefined }) => {},
  },
}).createMachine({
  id: 'monitor',
  context: { error: undefined },
  initial: 'Watching',
  states: {
    Watching: {
      on: {
        EVENTS: { actions: { type: 'fold', params: ({ event }) => ({ events: event.events }) } },
        LOG_FAILED: {
          target: 'Blind',
          actions: [
            assign({ error: ({ event }) => event.error }),
            { type: 'goneBlind', params: ({ event }) => ({ error: event.error }) },
          ],
        },
        LOG_ENDED: { target: 'Stopped', actions: { type: 'goneBlind', params: { error: undefined } } },
        STOP: { target: 'Stopped', actions: { type: 'goneBlind', params: { error: undefined } } },
      },
    },
    Blind: {
      on: { STOP: 'Stopped', LOG_ENDED: 'Stopped' },
    },
    Stopped: { type: 'final' },
  },
});
