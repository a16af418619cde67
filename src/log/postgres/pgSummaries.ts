import type pg from 'pg';
import type { RunSummary } from '../EventLog.js';
import { decodePgRow } from './pgTail.js';

const summariesSql = `
  WITH r AS (
    SELECT run_id, MIN(seq) AS first, MAX(seq) AS last, COUNT(*)::float8 AS events
    FROM troupe_events GROUP BY run_id
  )
  SELECT r.run_id, r.events, r.first::float8, f.v AS first_v, f.type AS first_type, f.body AS first_body,
         r.last::float8, l.v AS last_v, l.type AS last_type, l.body AS last_body,
         (SELECT s.type FROM troupe_events s
          WHERE s.run_id = r.run_id AND s.type IN ('run.started', 'run.completed', 'run.failed', 'run.cancelled')
          ORDER BY s.seq DESC LIMIT 1) AS status_type
  FROM r JOIN troupe_events f ON f.seq = r.first JOIN troupe_events l ON l.seq = r.last
  ORDER BY r.first`;

type SummaryRow = [
  runId: string,
  events: number,
  first: number,
  firstV: number,
  firstType: string,
  firstBody: string,
  last: number,
  lastV: number,
  lastType: string,
  lastBody: string,
  statusType: string | null,
];

const statusOf: Readonly<Record<string, RunSummary['status']>> = {
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};

/**
 * A summary of every run in a PostgreSQL log, oldest first, in one query: each run's first and
 * last events and the last event that set its status — what `memoryLog().runs()` folds.
 *
 * @example
 * await runSummaries(pool, 'postgres://troupe@127.0.0.1:5432/troupe')
 * // => [{ runId: 'r1', goal: 'post hi', status: 'completed', startedAt, updatedAt, events: 14 }]
 */
export async function runSummaries(pool: pg.Pool, target: string): Promise<RunSummary[]> {
  const result = await pool.query<SummaryRow>({ text: summariesSql, rowMode: 'array' });
  return result.rows.map((row) => {
    const [runId, events, first, firstV, firstType, firstBody, last, lastV, lastType, lastBody, statusType] = row;
    const head = decodePgRow(target, [first, firstV, firstType, runId, firstBody]);
    const tail = decodePgRow(target, [last, lastV, lastType, runId, lastBody]);
    return {
      runId,
      goal: head.type === 'run.started' ? head.goal : '',
      status: (statusType === null ? undefined : statusOf[statusType]) ?? 'running',
      startedAt: head.ts,
      updatedAt: tail.ts,
      events,
    };
  });
}
