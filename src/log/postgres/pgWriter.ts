import type pg from 'pg';
import { LeaseLostError, type TroupeError } from '../../errors.js';
import { runEndTypes, type TroupeEvent, type UnsequencedEvent } from '../../events/types.js';
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
 * Stores a batch in one call of the schema's `troupe_append` (see the migrations): fenced
 * events are kept only if their run is still leased at their epoch, the kept ones take seq
 * values from the head row in the order given, runs whose last event is among them leave
 * the queue, and the log's listeners are woken — one round trip, one transaction.
 */
const appendSql =
  'SELECT first_seq::float8 AS first, refused_runs, refused_epochs, refused_states, refused_at FROM troupe_append($1, $2, $3, $4, $5, $6)';

interface AppendRow {
  first: number;
  refused_runs: string[] | null;
  refused_epochs: string[] | null;
  refused_states: string[] | null;
  refused_at: (string | null)[] | null;
}

/**
 * Stores `appends` (each with its lease, if fenced) in one round trip and says which were
 * refused, and why; the others' events took consecutive seq values from the first one, in order.
 */
export async function storeAppends(
  client: pg.ClientBase,
  appends: readonly Pick<PendingAppend, 'events' | 'fence'>[],
): Promise<{ firstSeq: number; refused: Map<string, string> }> {
  const runs: string[] = [];
  const types: string[] = [];
  const bodies: string[] = [];
  const epochs: (number | null)[] = [];
  for (const append of appends) {
    const epoch = append.fence?.epoch ?? null;
    for (const event of append.events) {
      runs.push(event.runId);
      types.push(event.type);
      bodies.push(encodeEvent(event));
      epochs.push(epoch);
    }
  }
  // `null` for a batch with no fence: the function then skips the lease checks.
  const fenced = appends.some((a) => a.fence !== undefined);
  const result = await client.query<AppendRow>(appendSql, [
    runs,
    types,
    bodies,
    fenced ? epochs : null,
    eventVersion,
    runEndTypes,
  ]);
  const row = result.rows[0] as AppendRow;
  const refused = new Map<string, string>();
  const refusedRuns = row.refused_runs ?? [];
  for (let i = 0; i < refusedRuns.length; i++) {
    const state = row.refused_states?.[i];
    refused.set(
      `${refusedRuns[i]}@${row.refused_epochs?.[i]}`,
      state === 'missing' ? 'it is not in the queue' : `it is ${state} at epoch ${row.refused_at?.[i]}`,
    );
  }
  return { firstSeq: row.first, refused };
}

/** One round trip: fences checked, accepted events stored, ended runs retired (see `storeAppends`). */
async function storeBatch(
  client: pg.ClientBase,
  batch: readonly PendingAppend[],
): Promise<{ accepted: PendingAppend[]; refused: Map<PendingAppend, LeaseLostError>; firstSeq: number }> {
  const stored = await storeAppends(client, batch);
  const refused = new Map<PendingAppend, LeaseLostError>();
  const accepted: PendingAppend[] = [];
  for (const p of batch) {
    const why = p.fence === undefined ? undefined : stored.refused.get(`${p.fence.runId}@${p.fence.epoch}`);
    if (why === undefined) {
      accepted.push(p);
      continue;
    }
    const fence = p.fence as Lease;
    refused.set(
      p,
      new LeaseLostError(
        fence.runId,
        fence.epoch,
        `Refused an append to run \`${fence.runId}\` under lease epoch ${fence.epoch}: ${why}; another worker owns the run, so this one must drop it`,
      ),
    );
  }
  return { accepted, refused, firstSeq: stored.firstSeq };
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
      outcome = await storeBatch(client, batch);
      client.release();
    } catch (err) {
      // A connection that failed is not returned to the pool.
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
