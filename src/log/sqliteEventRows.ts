import type Database from 'better-sqlite3';
import type { TroupeEvent, UnsequencedEvent } from '../events/types.js';
import { encodeEvent, eventVersion } from './eventCodec.js';

/** Rows per multi-row INSERT: one statement per 32 events costs far less than 32 statements. */
const rowsPerInsert = 32;
const columns = 5;

function insertSql(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
  return `INSERT INTO events (seq, run, type, v, body) VALUES ${values}`;
}

/** An appended event made ready to store: sequenced, its body encoded, its run's id known. */
export interface StagedEvent {
  /** The event as the log acknowledges it. */
  readonly event: TroupeEvent;
  /** The integer id of its run. */
  readonly run: number;
  /** Its stored body (`encodeEvent`). */
  readonly body: string;
}

/** How events become rows of a writable log. */
export interface EventRows {
  /**
   * Gives `draft` its `seq`, encodes its body and finds its run's integer id (assigned, and
   * stored with the next batch, the first time a run is seen). Drafts are staged in log order.
   */
  stage(draft: UnsequencedEvent, seq: number): StagedEvent;
  /** Stores a batch of staged events, and the runs first seen in it, in one IMMEDIATE transaction. */
  store(batch: readonly StagedEvent[]): void;
}

/**
 * The writer's side of the schema: each event is one row (`seq`, the run's integer id, `type`,
 * format version, the body `encodeEvent` leaves), inserted 32 rows per statement; each run gets
 * a small integer id so the `(run, seq)` index stays narrow. The body is encoded from the draft
 * as it is staged, while the draft is still in the processor's caches; the batch then only binds
 * what is ready.
 *
 * @example
 * const rows = eventRows(db);
 * const staged = rows.stage(draft, 0);
 * staged.run
 * // => 1
 * rows.store([staged]);
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
  // Events come in long stretches of one run: the last lookup usually answers the next.
  let lastRunId: string | undefined;
  let lastRun = 0;

  function runIdOf(runId: string): number {
    if (runId === lastRunId) return lastRun;
    let id = runIds.get(runId);
    if (id === undefined) {
      id = findRun.get(runId) as number | undefined;
      if (id === undefined) {
        id = nextRun++;
        newRuns.push([id, runId]);
      }
      runIds.set(runId, id);
    }
    lastRunId = runId;
    lastRun = id;
    return id;
  }

  const store = db.transaction((batch: readonly StagedEvent[]) => {
    for (const [id, runId] of newRuns) insertRun.run(id, runId);
    newRuns.length = 0;
    let i = 0;
    for (; i + rowsPerInsert <= batch.length; i += rowsPerInsert) {
      for (let j = 0; j < rowsPerInsert; j++) {
        const staged = batch[i + j] as StagedEvent;
        const k = j * columns;
        params[k] = staged.event.seq;
        params[k + 1] = staged.run;
        params[k + 2] = staged.event.type;
        params[k + 3] = eventVersion;
        params[k + 4] = staged.body;
      }
      insertMany.run(params);
    }
    for (; i < batch.length; i++) {
      const staged = batch[i] as StagedEvent;
      insertOne.run(staged.event.seq, staged.run, staged.event.type, eventVersion, staged.body);
    }
  });

  return {
    stage(draft, seq) {
      const body = encodeEvent(draft);
      // Object.assign then a store copies faster than a spread with an added key; it also
      // overwrites a seq the draft may carry.
      const event = Object.assign({}, draft) as TroupeEvent;
      event.seq = seq;
      return { event, run: runIdOf(event.runId), body };
    },
    store: (batch) => store.immediate(batch),
  };
}
