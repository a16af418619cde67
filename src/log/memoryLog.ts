import { TroupeError } from '../errors.js';
import type { TroupeEvent, UnsequencedEvent } from '../events/types.js';
import { filter, Observable, Subject } from '../util/rx.js';
import type { EventLog, RunSummary } from './EventLog.js';
import { checkEvents } from './eventCheck.js';
import { summarize } from './runSummary.js';

/**
 * An `EventLog` held in memory: for tests, benchmarks and short-lived runs. Nothing survives
 * the process; use a durable log for runs that must resume.
 *
 * @example
 * const log = memoryLog();
 * const runtime = createRuntime({ log, model, tools });
 */
export function memoryLog(): EventLog {
  const all: TroupeEvent[] = [];
  const byRun = new Map<string, TroupeEvent[]>();
  const summaries = new Map<string, RunSummary>();
  const appended = new Subject<TroupeEvent>();
  let closed = false;

  function append(events: readonly UnsequencedEvent[]): Promise<readonly TroupeEvent[]> {
    if (closed) return Promise.reject(new TroupeError('LOG_CLOSED', 'Cannot append: the memory log is closed'));
    try {
      checkEvents(events);
    } catch (err) {
      return Promise.reject(err);
    }
    const stored = new Array<TroupeEvent>(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = { ...events[i], seq: all.length } as TroupeEvent;
      all.push(event);
      let run = byRun.get(event.runId);
      if (run === undefined) {
        run = [];
        byRun.set(event.runId, run);
      }
      run.push(event);
      summarize(summaries, event);
      stored[i] = event;
    }
    for (const event of stored) appended.next(event);
    return Promise.resolve(stored);
  }

  function read(runId: string, fromSeq = 0): Promise<readonly TroupeEvent[]> {
    const run = byRun.get(runId) ?? [];
    return Promise.resolve(fromSeq <= 0 ? run.slice() : run.filter((e) => e.seq >= fromSeq));
  }

  function subscribe(fromSeq?: number): Observable<TroupeEvent> {
    return new Observable<TroupeEvent>((subscriber) => {
      // Synchronous replay then tail: appends also run synchronously, so nothing slips between.
      const start = fromSeq ?? all.length;
      for (let i = Math.max(0, start); i < all.length && !subscriber.closed; i++)
        subscriber.next(all[i] as TroupeEvent);
      // A start beyond the end must skip the appends that come before it.
      const tail = start > all.length ? appended.pipe(filter((e) => e.seq >= start)) : appended;
      return tail.subscribe(subscriber);
    });
  }

  return {
    append,
    read,
    subscribe,
    runs: () => Promise.resolve([...summaries.values()].map((s) => ({ ...s }))),
    close: () => {
      closed = true;
      appended.complete();
      return Promise.resolve();
    },
  };
}
