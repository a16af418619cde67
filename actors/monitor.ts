import type { Observable } from 'rxjs';
import { type Actor, createActor, type InspectionEvent, type Observer } from 'xstate';
import { monitorMachine } from '../machines/monitor.js';
import { toErrorInfo } from '../src/errors.js';
import type { TroupeEvent } from '../src/events/types.js';
import { MetricsRecorder } from '../src/monitor/MetricsRecorder.js';
import type { Metrics } from '../src/monitor/metrics.js';

/** What the Monitor watches. */
export interface MonitorOptions {
  /** The event stream to fold: `log.subscribe(fromSeq)`, or a runtime's `events$`. */
  events$: Observable<TroupeEvent>;
  /** Tasks one run executes at once, for executor utilisation. */
  concurrency?: number;
  /** Receives XState inspection events of the Monitor actor. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/** A running Monitor. */
export interface Monitor {
  /** The XState actor, for inspection: `Watching`, `Blind` or `Stopped`. */
  readonly actor: Actor<typeof monitorMachine>;
  /** Metrics folded from every event received so far; rates are measured up to `now`. */
  metrics(now?: number): Metrics;
  /** Whether the Monitor is alive and still receives events. */
  live(): boolean;
  /** Stops watching; metrics stay readable. */
  stop(): void;
}

/**
 * Starts the Monitor actor on an event stream. Events are folded in batches, one actor event
 * per turn of the event loop (not one per log event), so watching costs the runtime little;
 * `metrics()` folds whatever is pending first, so it is never behind the stream.
 *
 * @example
 * const monitor = startMonitor({ events$: log.subscribe(0), concurrency: 16 });
 * monitor.metrics().tasks.completed
 * // => 3
 */
export function startMonitor(options: MonitorOptions): Monitor {
  const recorder = new MetricsRecorder(options.concurrency === undefined ? {} : { concurrency: options.concurrency });
  const machine = monitorMachine.provide({
    actions: {
      fold: (_, { events }) => {
        for (const event of events) recorder.fold(event);
      },
      goneBlind: () => {
        recorder.live = false;
      },
    },
  });
  const actor = createActor(machine, options.inspect === undefined ? {} : { inspect: options.inspect });
  actor.start();

  let pending: TroupeEvent[] = [];
  let scheduled: ReturnType<typeof setImmediate> | undefined;
  function flush(): void {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return;
    const events = pending;
    pending = [];
    actor.send({ type: 'EVENTS', events });
  }

  const subscription = options.events$.subscribe({
    next: (event) => {
      pending.push(event);
      scheduled ??= setImmediate(flush);
    },
    error: (err: unknown) => {
      flush();
      actor.send({ type: 'LOG_FAILED', error: toErrorInfo(err) });
    },
    complete: () => {
      flush();
      actor.send({ type: 'LOG_ENDED' });
    },
  });

  return {
    actor,
    metrics(now) {
      flush();
      return recorder.snapshot(now);
    },
    live: () => actor.getSnapshot().matches('Watching'),
    stop() {
      flush();
      subscription.unsubscribe();
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'STOP' });
    },
  };
}
