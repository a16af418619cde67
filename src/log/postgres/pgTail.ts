import type pg from 'pg';
import type { TroupeEvent } from '../../events/types.js';
import { Observable, Subject } from '../../util/rx.js';
import { decodeEvent } from '../eventCodec.js';
import { pgDriver } from './pgDriver.js';
import { toLogError } from './pgErrors.js';

/** Rows fetched per query while catching up, so one huge backlog does not hold one result in memory. */
export const readChunk = 1000;

/** A stored event as `SELECT ${eventSelect}` returns it in array mode. */
export type PgEventRow = [seq: number, v: number, type: string, runId: string, body: string];

/** The columns every event query selects, in `PgEventRow` order. */
export const eventSelect = 'seq::float8, v, type, run_id, body';

/** Rebuilds an event from its row (see `decodeEvent`). */
export function decodePgRow(target: string, row: PgEventRow): TroupeEvent {
  return decodeEvent(target, { seq: row[0], v: row[1], type: row[2], runId: row[3] }, row[4]);
}

/** Reads up to `readChunk` events after `afterSeq`, in seq order. */
export async function readAfter(pool: pg.Pool, target: string, afterSeq: number): Promise<TroupeEvent[]> {
  const result = await pool.query<PgEventRow>({
    text: `SELECT ${eventSelect} FROM troupe_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
    values: [afterSeq, readChunk],
    rowMode: 'array',
  });
  return result.rows.map((row) => decodePgRow(target, row));
}

/** How a `PgTail` reaches the database. */
export interface PgTailOptions {
  pool: pg.Pool;
  /** Settings for the dedicated LISTEN connection. */
  listen: pg.ClientConfig;
  target: string;
  /** The last seq already in the log when the tail starts. */
  lastSeq: number;
  /** How often to read for new events while the LISTEN connection is down, in ms. */
  pollMs: number;
  /** Where trouble on the LISTEN connection is reported (it reconnects by itself). */
  notice(message: string): void;
}

/**
 * The log's one ordered feed of committed events, whichever process appended them: this
 * process's commits are passed on at once, other processes' are read after a NOTIFY (or a
 * poll while the LISTEN connection is down). Because appends commit in seq order (see the
 * schema), reading `seq > last` after any wake-up can never skip an event that commits later;
 * the feed is gapless and each seq is delivered once.
 */
export class PgTail {
  /** Every event in seq order, from `lastSeq + 1` on. */
  readonly feed = new Subject<TroupeEvent>();
  private last: number;
  /** The highest seq a NOTIFY announced. */
  private heard = -1;
  /** Commits of this process in flight (see `committing`). */
  private ownCommits = 0;
  private reading = false;
  private again = false;
  private stopped = false;
  private listener: pg.Client | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  private readonly options: PgTailOptions;

  constructor(options: PgTailOptions) {
    this.options = options;
    this.last = options.lastSeq;
  }

  /** The last seq the feed delivered. */
  get lastSeq(): number {
    return this.last;
  }

  /** Starts listening; resolves once LISTEN is in place (or polling stands in for it). */
  async start(): Promise<void> {
    await this.listen();
    this.wake();
  }

  /** Events this process just committed: delivered now when they follow on, else read. */
  local(events: readonly TroupeEvent[]): void {
    for (const event of events) {
      if (event.seq > this.last + 1) {
        this.wake();
        return;
      }
      this.deliver(event);
    }
  }

  /**
   * Marks a commit of this process as in flight until the returned function is called (once
   * `local` has its events, or once it failed). A NOTIFY heard meanwhile waits for it: it most
   * likely announces that very commit, which `local` then delivers without a read.
   */
  committing(): () => void {
    this.ownCommits++;
    return () => {
      this.ownCommits--;
      if (this.ownCommits === 0 && this.heard > this.last) this.wake();
    };
  }

  /** A NOTIFY's payload is the last seq of the batch that committed. */
  private notified(payload: string | undefined): void {
    const seq = Number(payload);
    if (!Number.isFinite(seq)) {
      this.wake();
      return;
    }
    if (seq > this.heard) this.heard = seq;
    if (this.ownCommits === 0 && seq > this.last) this.wake();
  }

  /** Reads whatever committed after the last delivered seq. */
  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.catchUp();
  }

  /** Stops listening and completes the feed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll !== undefined) clearInterval(this.poll);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    this.feed.complete();
  }

  private deliver(event: TroupeEvent): void {
    if (event.seq !== this.last + 1) return;
    this.last = event.seq;
    this.feed.next(event);
  }

  private async catchUp(): Promise<void> {
    try {
      do {
        this.again = false;
        const events = await readAfter(this.options.pool, this.options.target, this.last);
        for (const event of events) this.deliver(event);
        if (events.length === readChunk) this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      if (!this.stopped) {
        this.options.notice(`${toLogError(this.options.target, 'read new events', err).message}; retrying`);
        this.startPolling();
      }
    } finally {
      this.reading = false;
    }
  }

  private startPolling(): void {
    if (this.poll !== undefined || this.stopped) return;
    this.poll = setInterval(() => this.wake(), this.options.pollMs);
    this.poll.unref();
  }

  private async listen(): Promise<void> {
    const client = new (pgDriver().Client)(this.options.listen);
    client.on('notification', (message) => this.notified(message.payload));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('Connection terminated')));
    try {
      await client.connect();
      await client.query('LISTEN troupe_events');
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    if (this.poll !== undefined) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
    // Anything committed while no one listened is read now.
    this.wake();
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.stopped) return;
    if (this.listener === client) this.listener = undefined;
    else if (this.listener !== undefined) return;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.options.notice(
      `${toLogError(this.options.target, 'listen for new events', err).message}; polling until it is back`,
    );
    this.startPolling();
    const retry = setTimeout(() => void this.listen(), this.options.pollMs);
    retry.unref();
  }
}

/**
 * A subscription from `fromSeq` on: stored events read in chunks until the reader reaches
 * the feed's position when it subscribed, then the feed, with what it delivered meanwhile
 * held back and passed on past the last seq already read: no gap and no duplicate.
 */
export function subscribeFrom(tail: PgTail, pool: pg.Pool, target: string, fromSeq?: number): Observable<TroupeEvent> {
  return new Observable<TroupeEvent>((subscriber) => {
    const seam = tail.lastSeq;
    let last = (fromSeq ?? seam + 1) - 1;
    let held: TroupeEvent[] | undefined = [];
    const feed = tail.feed.subscribe({
      next: (event) => {
        if (held !== undefined) held.push(event);
        else if (event.seq > last) {
          last = event.seq;
          subscriber.next(event);
        }
      },
      error: (err: unknown) => subscriber.error(err),
      complete: () => subscriber.complete(),
    });
    void (async () => {
      try {
        while (last < seam && !subscriber.closed) {
          const events = await readAfter(pool, target, last);
          if (events.length === 0) break;
          for (const event of events) {
            if (subscriber.closed) return;
            last = event.seq;
            subscriber.next(event);
          }
        }
      } catch (err) {
        subscriber.error(toLogError(target, 'replay the log', err));
        return;
      }
      const waiting = held ?? [];
      held = undefined;
      for (const event of waiting) {
        if (subscriber.closed) return;
        if (event.seq > last) {
          last = event.seq;
          subscriber.next(event);
        }
      }
    })();
    return () => feed.unsubscribe();
  });
}
