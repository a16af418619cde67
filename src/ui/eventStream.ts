import type { Subscription } from 'rxjs';
import type { EventLog } from '../log/EventLog.js';
import { takeWhile } from '../util/rx.js';
import type { Pacer } from './pacer.js';
import type { SseStream } from './sse.js';

/** What one dashboard client streams. */
export interface EventStreamOptions {
  /** The first `seq` to send; absent, only events appended from now on. */
  from?: number;
  /** Only this run's events; absent, every run's. */
  runId?: string;
  /** Shares the event loop with other streams' replays. */
  pacer: Pacer;
}

/**
 * Streams a log's events to one SSE client, paced and pulled rather than pushed. The log is
 * read from `from` in slices run by the pacer (so 500 clients asking for a 4,000-event log
 * never hold the event loop for more than a slice), and reading pauses the moment the
 * client's socket is full: the stream lets go of the log and, once the socket drains, reads
 * on from the next `seq`. Caught up, it follows the log live, pausing the same way, so a slow
 * client costs no memory beyond its socket's buffer and the log is its only queue. Returns the
 * function that stops the stream's reading for good (call it when the client is gone).
 *
 * @example
 * const sse = new SseStream(res, { onClose: () => stop() });
 * const stop = streamEvents(sse, log, { from: 0, pacer: replayPacer() });
 * // => every event from seq 0 on, then each new one as it is appended
 */
export function streamEvents(sse: SseStream, log: EventLog, options: EventStreamOptions): () => void {
  const { runId, pacer } = options;
  let cursor = options.from;
  let current: Subscription | undefined;
  let stopped = false;

  function resume(): void {
    if (stopped || sse.ended) return;
    sse.onceWritable(() => pacer.schedule(pump));
  }

  function pump(): void {
    if (stopped || sse.ended) return;
    let pausing = false;
    let replaying = true;
    // `takeWhile` ends the log's replay (even the synchronous one inside `subscribe`) at the
    // first event after a pause: that event is read again when the stream resumes.
    current = log
      .subscribe(cursor)
      .pipe(takeWhile(() => !pausing && !stopped && !sse.ended))
      .subscribe({
        next: (event) => {
          cursor = event.seq + 1;
          if (runId === undefined || event.runId === runId) {
            sse.send('event', JSON.stringify(event), String(event.seq));
          }
          if (sse.blocked || (replaying && pacer.overdue())) pausing = true;
        },
        error: () => sse.close(),
        complete: () => {
          if (pausing) resume();
          else sse.close();
        },
      });
    replaying = false;
  }

  // A live-only stream subscribes at once (there is nothing to replay), so that no event
  // appended before the pacer's next slice is missed.
  if (cursor === undefined) pump();
  else pacer.schedule(pump);
  return () => {
    stopped = true;
    current?.unsubscribe();
  };
}
