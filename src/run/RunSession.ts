import { randomUUID } from 'node:crypto';
import { TroupeError } from '../errors.js';
import type { EventDraft, TroupeEvent, UnsequencedEvent } from '../events/types.js';
import type { EventLog } from '../log/EventLog.js';
import type { EventRedactor } from '../security/redactEvent.js';
import { decide, type PlannerCommand } from './decide.js';
import { evolve } from './evolve.js';
import { initialRunState, type RunState } from './state.js';

/**
 * The single writer of one run: `execute(command)` asks `decide` for events, stamps their
 * envelope, folds them into `state` at once (so the next decision sees them) and appends
 * them to the log in order. Effects wait for `durable()` before they start.
 */
export class RunSession {
  readonly runId: string;
  readonly state: RunState;
  private readonly log: EventLog;
  private tail: Promise<unknown> = Promise.resolve();
  private failure: TroupeError | undefined;
  private readonly redact: EventRedactor | undefined;

  /**
   * Starts a session on a run's state: fresh, or folded from its log on resume. `redact`, when
   * given, is applied to every event before it is folded and appended (see `eventRedactor`).
   */
  constructor(log: EventLog, runId: string, state: RunState = initialRunState(runId), redact?: EventRedactor) {
    this.log = log;
    this.runId = runId;
    this.state = state;
    this.redact = redact;
  }

  /** Decides, records and folds `command`; resolves once its events are durable. */
  execute(command: PlannerCommand): Promise<readonly TroupeEvent[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return this.record(decide(this.state, command));
  }

  /**
   * Records `command` without waiting: for statechart actions, which cannot await. A log
   * failure is kept and surfaces at the next `durable()` or `execute()`.
   */
  submit(command: PlannerCommand): void {
    this.execute(command).catch(() => undefined);
  }

  /** Resolves once every event recorded so far is durable; rejects if the log failed. */
  durable(): Promise<void> {
    return this.tail.then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
  }

  /** The error that stopped the log from accepting this run's events, if any. */
  get logFailure(): TroupeError | undefined {
    return this.failure;
  }

  private record(drafts: readonly EventDraft[]): Promise<readonly TroupeEvent[]> {
    if (drafts.length === 0) return Promise.resolve([]);
    const ts = Date.now();
    const events = new Array<UnsequencedEvent>(drafts.length);
    for (let i = 0; i < drafts.length; i++) {
      // Redacted before the fold, so live state holds exactly what a replay of the log rebuilds.
      // `decide` made each draft for this call alone: the envelope is stamped on it, not on a copy.
      const draft = drafts[i] as EventDraft;
      const event = (this.redact === undefined ? draft : this.redact(draft)) as EventDraft & Record<string, unknown>;
      event.id = randomUUID();
      event.runId = this.runId;
      event.ts = ts;
      event.correlationId = this.runId;
      evolve(this.state, event as unknown as UnsequencedEvent);
      events[i] = event as unknown as UnsequencedEvent;
    }
    const appended = this.log.append(events).catch((err: unknown) => {
      this.failure ??=
        err instanceof TroupeError
          ? err
          : new TroupeError('LOG_CLOSED', `Could not append to the event log: ${String(err)}`, { cause: err });
      throw this.failure;
    });
    this.tail = appended.catch(() => undefined);
    return appended;
  }
}
