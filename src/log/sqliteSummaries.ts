import type Database from 'better-sqlite3';
import type { RunSummary } from './EventLog.js';
import { decodeRow, type EventRow, eventColumns } from './sqliteRows.js';

/**
 * A summary of every run in a SQLite log, oldest first, from its first and last events and the
 * last event that set its status — the same summaries `memoryLog().runs()` folds.
 *
 * @example
 * summaries(db, '.troupe/events.db')
 * // => [{ runId: 'r1', goal: 'post hi', status: 'completed', startedAt, updatedAt, events: 14 }]
 */
export function summaries(db: Database.Database, file: string): RunSummary[] {
  const runs = db
    .prepare(
      'SELECT r.id, r.run_id, MIN(e.seq), MAX(e.seq), COUNT(*) FROM events e JOIN runs r ON r.id = e.run GROUP BY e.run ORDER BY MIN(e.seq)',
    )
    .raw()
    .all() as [number, string, number, number, number][];
  const bySeq = db.prepare(`SELECT ${eventColumns} FROM events WHERE seq = ?`).raw();
  const lastStatus = db
    .prepare(
      "SELECT type FROM events WHERE run = ? AND type IN ('run.started', 'run.completed', 'run.failed', 'run.cancelled') ORDER BY seq DESC LIMIT 1",
    )
    .pluck();
  const statusOf: Record<string, RunSummary['status']> = {
    'run.completed': 'completed',
    'run.failed': 'failed',
    'run.cancelled': 'cancelled',
  };
  return runs.map(([id, runId, first, lastSeq, count]) => {
    const head = decodeRow(file, bySeq.get(first) as EventRow, runId);
    const tail = decodeRow(file, bySeq.get(lastSeq) as EventRow, runId);
    const type = lastStatus.get(id) as string | undefined;
    return {
      runId,
      goal: head.type === 'run.started' ? head.goal : '',
      status: (type === undefined ? undefined : statusOf[type]) ?? 'running',
      startedAt: head.ts,
      updatedAt: tail.ts,
      events: count,
    };
  });
}
