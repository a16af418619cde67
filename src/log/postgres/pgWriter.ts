import type pg from 'pg';
import { LeaseLostError, type TroupeError } from '../../errors.js';
import type { TroupeEvent, UnsequencedEvent } from '../../events/types.js';
import { encodeEvent, eventVersion } from '../eventCodec.js';
import type { Lease } from '../RunQueue.js';
import { toLogError } from './pgErrors.js';

/** One `append` call waiting for its batch. */
export interface PendingAppend {
  events: readonly UnsequencedEvent[];
  /** The lease the events must be written under, for a fenced append. */
  fence?: Lease;
  resolve(stored: readonly TroupeEvent[]): void;
  reject(err: TroupeError): void;
}

const terminal: ReadonlySet<string> = new Set(['run.completed', 'run.failed', 'run.cancelled']);

/** The first failure among the runs an append writes to, if any of them is refused. */
function failureOf(failed: ReadonlyMap<string, TroupeError>, append: PendingAppend): TroupeError | undefined {
  if (failed.size === 0) return undefined;
  for (const event of append.events) {
    const failure = failed.get(event.runId);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

/**
 * Takes `count` seq values from the head row (locked until commit, so commits land in seq
 * order), inserts the rows in one statement and wakes the log's listeners, all in one round
 * trip. Its only result row is the first seq taken.
 */
export const insertEventsSql = `
  WITH head AS (
    UPDATE troupe_head SET next_seq = next_seq + $1 RETURNING next_seq - $1 AS first
  ), stored AS (
    INSERT INTO troupe_events (seq, run_id, type, v, body)
    SELECT head.first + row.n - 1, row.run_id, row.type, $2, row.body
    FROM head, unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS row(run_id, type, body, n)
  )
  SELECT head.first::float8 AS first, pg_notify('troupe_events', (head.first + $1 - 1)::text) FROM head`;

/** Column arrays of a batch, in the order `insertEventsSql` takes them (bodies in the shared stored format). */
export function eventColumns(events: readonly UnsequencedEvent[]): unknown[] {
  const runs = new Array<string>(events.length);
  const types = new Array<string>(events.length);
  const bodies = new Array<string>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as UnsequencedEvent;
    runs[i] = event.runId;
    types[i] = event.type;
    bodies[i] = encodeEvent(event as TroupeEvent);
  }
  return [events.length, eventVersion, runs, types, bodies];
}

/** Inserts `events` inside the caller's transaction and returns the first seq they took. */
export async function insertEvents(client: pg.ClientBase, events: readonly UnsequencedEvent[]): Promise<number> {
  const result = await client.query<{ first: number }>(insertEventsSql, eventColumns(events));
  return result.rows[0]?.first as number;
}

/**
 * Stores one batch in one transaction: fences checked first (lease rows locked, so no claim
 * can slip between the check and the commit), then the accepted events, then the runs that
 * ended retired from the queue.
 */
async function storeBatch(
  client: pg.ClientBase,
  batch: readonly PendingAppend[],
): Promise<{ accepted: PendingAppend[]; refused: Map<PendingAppend, LeaseLostError>; firstSeq: number }> {
  const refused = new Map<PendingAppend, LeaseLostError>();
  const fenced = batch.filter((p) => p.fence !== undefined);
  if (fenced.length > 0) {
    const runIds = [...new Set(fenced.map((p) => (p.fence as Lease).runId))].sort();
    const rows = await client.query<{ run_id: string; state: string; epoch: string }>(
      'SELECT run_id, state, epoch FROM troupe_leases WHERE run_id = ANY($1::text[]) ORDER BY run_id FOR UPDATE',
      [runIds],
    );
    const leases = new Map(rows.rows.map((r) => [r.run_id, r]));
    for (const p of fenced) {
      const fence = p.fence as Lease;
      const row = leases.get(fence.runId);
      if (row === undefined || row.state !== 'leased' || Number(row.epoch) !== fence.epoch) {
        const now = row === undefined ? 'it is not in the queue' : `it is ${row.state} at epoch ${row.epoch}`;
        refused.set(
          p,
          new LeaseLostError(
            fence.runId,
            fence.epoch,
            `Refused an append to run \`${fence.runId}\` under lease epoch ${fence.epoch}: ${now}; another worker owns the run, so this one must drop it`,
          ),
        );
      }
    }
  }
  const accepted = batch.filter((p) => !refused.has(p));
  const events = accepted.flatMap((p) => p.events);
  const firstSeq = events.length > 0 ? await insertEvents(client, events) : 0;
  const retired = accepted
    .filter((p) => p.fence !== undefined && p.events.some((e) => terminal.has(e.type)))
    .map((p) => (p.fence as Lease).runId);
  if (retired.length > 0) {
    await client.query(
      "UPDATE troupe_leases SET state = 'done', owner = NULL, expires_at = NULL WHERE run_id = ANY($1::text[])",
      [retired],
    );
  }
  return { accepted, refused, firstSeq };
}

/** How a `PgWriter` reaches the database and tells the log what it stored. */
export interface PgWriterOptions {
  pool: pg.Pool;
  target: string;
  /** Called with each committed batch's events in seq order, before the next batch is taken. */
  committed(events: readonly TroupeEvent[]): void;
  /** Called as each transaction starts; the function it returns, once it settled (after `committed`). */
  committing(): () => void;
  /** How long appends may wait to share a commit, in ms; `0`: the next turn of the event loop. */
  flushMs: number;
}

/**
 * Group commit over PostgreSQL: appends made while a transaction is in flight (or within
 * `flushMs`) share the next one, and each resolves only after that transaction committed.
 * A batch that fails rejects its appends, and the runs it held refuse further appends until
 * `forgive(runId)` (called when the run is read again): whether a failed commit stored its
 * events is unknown, and a writer must learn what is durable before writing on.
 */
export class PgWriter {
  private pending: PendingAppend[] = [];
  private running: Promise<void> | undefined;
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private readonly failed = new Map<string, TroupeError>();
  private readonly options: PgWriterOptions;

  constructor(options: PgWriterOptions) {
    this.options = options;
  }

  /** Queues an append; it resolves with the stored events once their transaction committed. */
  add(append: PendingAppend): void {
    const failure = failureOf(this.failed, append);
    if (failure !== undefined) {
      append.reject(failure);
      return;
    }
    this.pending.push(append);
    if (this.running === undefined && this.timer === undefined) {
      const start = () => {
        this.timer = undefined;
        this.running = this.drain();
      };
      this.timer = this.options.flushMs === 0 ? setImmediate(start) : setTimeout(start, this.options.flushMs);
    }
  }

  /** Lets a run whose append failed be written again (its writer has re-read it). */
  forgive(runId: string): void {
    this.failed.delete(runId);
  }

  /** Resolves once every queued append has settled. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      if (this.options.flushMs === 0) clearImmediate(this.timer as NodeJS.Immediate);
      else clearTimeout(this.timer as NodeJS.Timeout);
      this.timer = undefined;
      this.running = this.drain();
    }
    while (this.running !== undefined) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.filter((p) => {
        const failure = failureOf(this.failed, p);
        if (failure !== undefined) p.reject(failure);
        return failure === undefined;
      });
      this.pending = [];
      if (batch.length > 0) await this.commit(batch);
    }
    this.running = undefined;
  }

  private async commit(batch: readonly PendingAppend[]): Promise<void> {
    const settled = this.options.committing();
    try {
      await this.store(batch);
    } finally {
      settled();
    }
  }

  private async store(batch: readonly PendingAppend[]): Promise<void> {
    let client: pg.PoolClient | undefined;
    let outcome: Awaited<ReturnType<typeof storeBatch>>;
    try {
      client = await this.options.pool.connect();
      // Unfenced events go in with one statement, atomic on its own; fences need a transaction.
      const fenced = batch.some((p) => p.fence !== undefined);
      if (fenced) await client.query('BEGIN');
      outcome = await storeBatch(client, batch);
      if (fenced) await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client?.query('ROLLBACK').catch(() => undefined);
      // A connection that failed mid-transaction is not returned to the pool.
      client?.release(err instanceof Error ? err : true);
      const error = toLogError(this.options.target, 'append to the log', err);
      for (const p of batch) {
        for (const event of p.events) this.failed.set(event.runId, error);
        p.reject(error);
      }
      return;
    }
    const stored: TroupeEvent[] = [];
    let seq = outcome.firstSeq;
    for (const p of outcome.accepted) {
      const events = new Array<TroupeEvent>(p.events.length);
      for (let i = 0; i < p.events.length; i++) events[i] = { ...p.events[i], seq: seq++ } as TroupeEvent;
      stored.push(...events);
      p.resolve(events);
    }
    for (const [p, error] of outcome.refused) p.reject(error);
    if (stored.length > 0) this.options.committed(stored);
  }
}
