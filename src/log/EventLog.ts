import type { Observable } from 'rxjs';
import type { TroupeEvent, UnsequencedEvent } from '../events/types.js';

/** What a log knows of one run without folding it. */
export interface RunSummary {
  runId: string;
  goal: string;
  /** `running` until the run's last event is `run.completed`, `run.failed` or `run.cancelled`. */
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  startedAt: number;
  updatedAt: number;
  events: number;
}

/**
 * An append-only store of troupe events. `memoryLog()` keeps them in memory; durable logs
 * implement the same interface. Nothing outside a log may assume where events live.
 */
export interface EventLog {
  /**
   * Appends events in order and resolves with them, `seq` assigned, once they are durable.
   * Events of one call are stored together or not at all.
   */
  append(events: readonly UnsequencedEvent[]): Promise<readonly TroupeEvent[]>;
  /** The events of one run in log order, from `fromSeq` (inclusive) on. */
  read(runId: string, fromSeq?: number): Promise<readonly TroupeEvent[]>;
  /**
   * Every event from `fromSeq` (inclusive; default: the next one appended), stored ones first,
   * then new ones as they are appended, with no gap and no duplicate at the seam.
   */
  subscribe(fromSeq?: number): Observable<TroupeEvent>;
  /** A summary of every run in the log, oldest first. */
  runs(): Promise<readonly RunSummary[]>;
  /** Flushes pending appends and releases the log; appending afterwards fails with `LOG_CLOSED`. */
  close(): Promise<void>;
}
