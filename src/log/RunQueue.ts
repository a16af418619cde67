import type { TroupeEvent, UnsequencedEvent } from '../events/types.js';
import type { EventLog } from './EventLog.js';

/**
 * The right of one worker to write one run. `epoch` rises by one at every claim, so the
 * holder of an older epoch is known to be stale: the fencing token of the lease.
 */
export interface Lease {
  readonly runId: string;
  readonly epoch: number;
}

/**
 * Runs shared by processes through one database: submitted runs wait in a queue, workers
 * claim them under a lease, and every append of a claimed run is fenced by the lease's epoch.
 * Lease times are kept on the database's clock, so hosts with skewed clocks agree on them.
 */
export interface RunQueue {
  /**
   * Appends a run's first events and queues the run for any worker, in one transaction, so a
   * run is never recorded without being queued (or queued without its events).
   */
  submit(events: readonly UnsequencedEvent[]): Promise<readonly TroupeEvent[]>;
  /**
   * Takes up to `max` runs for `owner`: queued ones, oldest first, and leased ones whose lease
   * expired, except those named in `holding` (runs this worker still drives). Rows other
   * workers are claiming at the same moment are skipped, not waited for.
   */
  claim(owner: string, max: number, leaseMs: number, holding?: readonly string[]): Promise<readonly Lease[]>;
  /** Extends the leases `owner` still holds by `leaseMs` from now; resolves with those still held. */
  renew(owner: string, leases: readonly Lease[], leaseMs: number): Promise<readonly Lease[]>;
  /** Hands leases back to the queue (their epoch rises, so late appends under them are refused). */
  release(owner: string, leases: readonly Lease[]): Promise<void>;
  /**
   * A view of the log whose appends are checked against `lease` in the transaction that stores
   * them; an append under a lost lease fails with `LeaseLostError` and stores nothing. An append
   * holding the run's last event (`run.completed`, `run.failed`, `run.cancelled`) also retires
   * the run from the queue.
   */
  fenced(lease: Lease): EventLog;
}

/** A log whose runs processes can share: `createRuntime`'s `submit` and `work` need one. */
export interface SharedEventLog extends EventLog {
  readonly queue: RunQueue;
}

/** Whether `log` can share runs between processes. */
export function isSharedLog(log: EventLog): log is SharedEventLog {
  return typeof (log as Partial<SharedEventLog>).queue === 'object';
}
