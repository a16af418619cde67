import type Database from 'better-sqlite3';
import type { TroupeEvent } from '../events/types.js';
import { encodeEvent, eventVersion } from './eventCodec.js';

/** Rows per multi-row INSERT: one statement per 32 events costs far less than 32 statements. */
const rowsPerInsert = 32;
const columns = 5;

function insertSql(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
  return `INSERT INTO events (seq, run, type, v, body) VALUES ${values}`;
}

/** How events become rows of a writable log. */
export interface EventRows {
  /** The integer id of a run, assigned (and stored with the next batch) the first time it is seen. */
  runIdOf(runId: string): number;
  /** Stores a batch of sequenced events, and the runs first seen in it, in one IMMEDIATE transaction. */
  store(batch: readonly TroupeEvent[]): void;
}

/**
 * The writer's side of the schema: each event is one row (`seq`, the run's integer id, `type`,
 * format version, the body `encodeEvent` leaves), inserted 32 rows per statement; each run gets a small integer id
 * so the `(run, seq)` index stays narrow.
 *
 * @example
 * const rows = eventRows(db);
 * rows.runIdOf('run-1');
 * // => 1
 * rows.store(events);
 */
export function eventRows(db: Database.Database): EventRows {
  let nextRun = ((db.prepare('SELECT MAX(id) FROM runs').pluck().get() as number | null) ?? 0) + 1;
  const findRun = db.prepare('SELECT id FROM runs WHERE run_id = ?').pluck();
  const runIds = new Map<string, number>();
  const newRuns: [number, string][] = [];
  const insertRun = db.prepare('INSERT INTO runs (id, run_id) VALUES (?, ?)');
  const insertOne = db.prepare(insertSql(1));
  const insertMany = db.prepare(insertSql(rowsPerInsert));
  const params: unknown[] = new Array(rowsPerInsert * columns);

  const store = db.transaction((batch: readonly TroupeEvent[]) => {
    for (const [id, runId] of newRuns) insertRun.run(id, runId);
    newRuns.length = 0;
    let i = 0;
    for (; i + rowsPerInsert <= batch.length; i += rowsPerInsert) {
      for (let j = 0; j < rowsPerInsert; j++) {
        const e = batch[i + j] as TroupeEvent;
        const k = j * columns;
        params[k] = e.seq;
        params[k + 1] = runIds.get(e.runId);
        params[k + 2] = e.type;
        params[k + 3] = eventVersion;
        params[k + 4] = encodeEvent(e);
      }
      insertMany.run(params);
    }
    for (; i < batch.length; i++) {
      const e = batch[i] as TroupeEvent;
      insertOne.run(e.seq, runIds.get(e.runId), e.type, eventVersion, encodeEvent(e));
    }
  });

  return {
    runIdOf(runId) {
      let id = runIds.get(runId);
      if (id === undefined) {
        id = findRun.get(runId) as number | undefined;
        if (id === undefined) {
          id = nextRun++;
          newRuns.push([id, runId]);
        }
        runIds.set(runId, id);
      }
      return id;
    },
    store: (batch) => store.immediate(batch),
  };
}
