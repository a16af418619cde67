import type { Subscription } from 'rxjs';
import type { TroupeEvent } from '../events/types.js';
import type { EventLog } from '../log/EventLog.js';
import { Observable } from '../util/rx.js';

/**
 * Wraps a log whose `subscribe` ends after replaying (a read-only SQLite log opened by another
 * process than the writer) so that it keeps tailing: when the stream completes it subscribes
 * again from the next `seq` every `intervalMs`. This is what lets `troupe dashboard` show a run
 * live while `troupe run` or an embedding service writes it.
 *
 * @example
 * const log = tailing(sqliteLog('.troupe/events.db', { readOnly: true }));
 * log.subscribe(0).subscribe((event) => console.log(event.seq));
 * // => 0, 1, 2, … and each event appended later, within ~250 ms
 */
export function tailing(log: EventLog, options: { intervalMs?: number } = {}): EventLog {
  const intervalMs = options.intervalMs ?? 250;
  return {
    append: (events) => log.append(events),
    read: (runId, fromSeq) => log.read(runId, fromSeq),
    runs: () => log.runs(),
    close: () => log.close(),
    subscribe(fromSeq) {
      return new Observable<TroupeEvent>((subscriber) => {
        let last = fromSeq === undefined ? -1 : fromSeq - 1;
        let inner: Subscription | undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let stopped = false;
        const start = () => {
          if (stopped) return;
          inner = log.subscribe(last < 0 && fromSeq === undefined ? undefined : last + 1).subscribe({
            next: (event) => {
              if (event.seq <= last) return;
              last = event.seq;
              subscriber.next(event);
            },
            error: (err: unknown) => subscriber.error(err),
            complete: () => {
              if (!stopped) timer = setTimeout(start, intervalMs);
            },
          });
        };
        start();
        return () => {
          stopped = true;
          clearTimeout(timer);
          inner?.unsubscribe();
        };
      });
    },
  };
}
