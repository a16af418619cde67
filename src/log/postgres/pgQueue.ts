import type pg from 'pg';
import { TroupeError } from '../../errors.js';
import type { TroupeEvent, UnsequencedEvent } from '../../events/types.js';
import type { EventLog } from '../EventLog.js';
import { checkEvents } from '../eventCheck.js';
import type { Lease, RunQueue } from '../RunQueue.js';
import { toLogError } from './pgErrors.js';
import { type PgWriter, storeAppends } from './pgWriter.js';

const claimSql = `
  UPDATE troupe_leases AS l
  SET state = 'leased', owner = $1, epoch = l.epoch + 1, expires_at = now() + $3 * interval '1 millisecond'
  FROM (
    SELECT run_id FROM troupe_leases
    WHERE (state = 'queued' OR (state = 'leased' AND expires_at < now())) AND NOT (run_id = ANY($4::text[]))
    ORDER BY queued_seq
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  ) AS free
  WHERE l.run_id = free.run_id
  RETURNING l.run_id, l.epoch::float8 AS epoch`;

const renewSql = `
  UPDATE troupe_leases AS l SET expires_at = now() + $4 * interval '1 millisecond'
  FROM unnest($2::text[], $3::bigint[]) AS held(run_id, epoch)
  WHERE l.run_id = held.run_id AND l.epoch = held.epoch AND l.state = 'leased' AND l.owner = $1
  RETURNING l.run_id, l.epoch::float8 AS epoch`;

const releaseSql = `
  UPDATE troupe_leases AS l SET state = 'queued', owner = NULL, expires_at = NULL, epoch = l.epoch + 1
  FROM unnest($2::text[], $3::bigint[]) AS held(run_id, epoch)
  WHERE l.run_id = held.run_id AND l.epoch = held.epoch AND l.state = 'leased' AND l.owner = $1`;

/** What the queue needs of its log. */
export interface PgQueueDeps {
  pool: pg.Pool;
  target: string;
  writer: PgWriter;
  log: EventLog;
  /** Waits until the log is open (migrated). */
  ready(): Promise<void>;
  /** Passes events this process committed outside the writer to the log's feed. */
  committed(events: readonly TroupeEvent[]): void;
  /** Marks such a commit in flight; the function it returns, once it settled (see `PgTail.committing`). */
  committing(): () => void;
}

function toLeases(rows: readonly { run_id: string; epoch: number }[]): Lease[] {
  return rows.map((r) => ({ runId: r.run_id, epoch: r.epoch }));
}

/**
 * The PostgreSQL `RunQueue`: one row per shared run in `troupe_leases`, claimed with
 * `FOR UPDATE SKIP LOCKED` so workers never wait on each other's claims, and every lease time
 * taken from the server's `now()`.
 */
export function pgQueue(deps: PgQueueDeps): RunQueue {
  const { pool, target } = deps;
  const run = async <R extends pg.QueryResultRow>(doing: string, sql: string, values: unknown[]) => {
    await deps.ready();
    try {
      return (await pool.query<R>(sql, values)).rows;
    } catch (err) {
      throw toLogError(target, doing, err);
    }
  };
  return {
    async submit(events: readonly UnsequencedEvent[]) {
      await deps.ready();
      const runId = events[0]?.runId;
      if (runId === undefined || events.some((e) => e.runId !== runId)) {
        throw new TroupeError('INVALID_STATE', 'Expected `submit` to be given the first events of exactly one run');
      }
      checkEvents(events);
      let client: pg.PoolClient | undefined;
      let firstSeq: number;
      const settled = deps.committing();
      try {
        client = await pool.connect();
        await client.query('BEGIN');
        const exists = await client.query('SELECT 1 FROM troupe_events WHERE run_id = $1 LIMIT 1', [runId]);
        if (exists.rowCount !== 0) {
          throw new TroupeError('INVALID_STATE', `Cannot submit run \`${runId}\`: the log already holds events of it`);
        }
        ({ firstSeq } = await storeAppends(client, [{ events }]));
        await client.query("INSERT INTO troupe_leases (run_id, state, queued_seq) VALUES ($1, 'queued', $2)", [
          runId,
          firstSeq,
        ]);
        await client.query('COMMIT');
        client.release();
      } catch (err) {
        await client?.query('ROLLBACK').catch(() => undefined);
        client?.release(err instanceof TroupeError ? undefined : true);
        settled();
        throw toLogError(target, `submit run \`${runId}\``, err);
      }
      const stored = events.map((e, i) => ({ ...e, seq: firstSeq + i }) as TroupeEvent);
      deps.committed(stored);
      settled();
      return stored;
    },
    async claim(owner, max, leaseMs, holding = []) {
      const rows = await run<{ run_id: string; epoch: number }>('claim runs', claimSql, [owner, max, leaseMs, holding]);
      return toLeases(rows);
    },
    async renew(owner, leases, leaseMs) {
      if (leases.length === 0) return [];
      const rows = await run<{ run_id: string; epoch: number }>('renew leases', renewSql, [
        owner,
        leases.map((l) => l.runId),
        leases.map((l) => l.epoch),
        leaseMs,
      ]);
      return toLeases(rows);
    },
    async release(owner, leases) {
      if (leases.length === 0) return;
      await run('hand back runs', releaseSql, [owner, leases.map((l) => l.runId), leases.map((l) => l.epoch)]);
    },
    fenced(lease) {
      const { log, writer } = deps;
      return {
        append(events) {
          if (events.length === 0) return Promise.resolve([]);
          const stray = events.find((e) => e.runId !== lease.runId);
          if (stray !== undefined) {
            return Promise.reject(
              new TroupeError(
                'INVALID_STATE',
                `Expected every event appended under the lease of run \`${lease.runId}\` to belong to it, got one of \`${stray.runId}\``,
              ),
            );
          }
          try {
            checkEvents(events);
          } catch (err) {
            return Promise.reject(err);
          }
          return deps
            .ready()
            .then(() => new Promise((resolve, reject) => writer.add({ events, fence: lease, resolve, reject })));
        },
        read: (runId, fromSeq) => log.read(runId, fromSeq),
        subscribe: (fromSeq) => log.subscribe(fromSeq),
        runs: () => log.runs(),
        // The view shares its log; closing the log is its owner's business.
        close: () => Promise.resolve(),
      };
    },
  };
}
