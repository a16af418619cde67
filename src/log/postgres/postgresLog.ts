import type pg from 'pg';
import { ConfigError, TroupeError } from '../../errors.js';
import type { TroupeEvent, UnsequencedEvent } from '../../events/types.js';
import { Observable } from '../../util/rx.js';
import type { RunSummary } from '../EventLog.js';
import { checkEvents } from '../eventCheck.js';
import type { SharedEventLog } from '../RunQueue.js';
import { pgDriver } from './pgDriver.js';
import { checkConnection, describeTarget, type PostgresConnection, toLogError } from './pgErrors.js';
import { migratePg } from './pgMigrations.js';
import { pgQueue } from './pgQueue.js';
import { runSummaries } from './pgSummaries.js';
import { decodePgRow, eventSelect, type PgEventRow, PgTail, subscribeFrom } from './pgTail.js';
import { PgWriter } from './pgWriter.js';

export type { PostgresConnection } from './pgErrors.js';

/** Options of `postgresLog`. */
export interface PostgresLogOptions {
  /** How long appends may wait to share a commit, in ms; `0` commits at the next turn of the event loop. @default 0 */
  flushMs?: number;
  /** Connections in the pool (appends use one at a time; reads and leases the rest). @default 4 */
  poolSize?: number;
  /** How often to read for new events while the LISTEN connection is down, in ms. @default 1000 */
  pollMs?: number;
  /** How long to wait for a connection before failing with `LOG_UNAVAILABLE`, in ms. @default 5000 */
  connectTimeoutMs?: number;
  /** Where notices go (the LISTEN connection lost and regained). @default process.emitWarning */
  onNotice?: (message: string) => void;
}

/** A durable `EventLog` in PostgreSQL whose runs processes can share (see `RunQueue`). */
export interface PostgresLog extends SharedEventLog {
  /** The server, as `postgres://user@host:port/database` (never the password). */
  readonly target: string;
  /** Resolves once the server answered and the schema is migrated; rejects with the typed reason otherwise. */
  ready(): Promise<void>;
}

function checkOptions(options: PostgresLogOptions): void {
  const issues: string[] = [];
  const { flushMs = 0, poolSize = 4, pollMs = 1000, connectTimeoutMs = 5000 } = options;
  const integer = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min)
      issues.push(`Expected \`${name}\` to be an integer ≥ ${min}, got \`${value}\``);
  };
  integer('flushMs', flushMs, 0);
  integer('poolSize', poolSize, 2);
  integer('pollMs', pollMs, 1);
  integer('connectTimeoutMs', connectTimeoutMs, 1);
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * An `EventLog` in PostgreSQL (the `pg` driver): for runs shared by worker processes on one or
 * many hosts. Appends are group-committed — appends made while a commit is in flight share the
 * next transaction — and resolve only once it committed. Appends take `seq` values under a row
 * lock held to commit, so they commit in `seq` order and `subscribe` can read on from the last
 * seq it saw without ever skipping one; LISTEN/NOTIFY wakes it when another process appends.
 * Opening migrates the schema (once, whichever process comes first) and refuses a schema
 * written by a newer troupe; an unreachable server fails calls with `LogUnavailableError`.
 *
 * @example
 * const log = postgresLog(process.env.TROUPE_DATABASE_URL ?? 'postgres://localhost/troupe');
 * const runtime = createRuntime({ log, model, tools });
 * const runId = await runtime.submit('post hello');
 * const worker = runtime.work({ maxRuns: 4 });
 */
export function postgresLog(connection: PostgresConnection, options: PostgresLogOptions = {}): PostgresLog {
  checkConnection(connection);
  checkOptions(options);
  const target = describeTarget(connection);
  const notice = options.onNotice ?? ((m: string) => process.emitWarning(m, 'TroupeLogNotice'));
  const settings: pg.PoolConfig = typeof connection === 'string' ? { connectionString: connection } : { ...connection };
  settings.connectionTimeoutMillis ??= options.connectTimeoutMs ?? 5000;
  const pool = new (pgDriver().Pool)({ ...settings, max: options.poolSize ?? 4 });
  // An idle pooled connection that drops is replaced on next use; the pool must not crash the process.
  pool.on('error', () => undefined);
  let closed = false;
  let tail: PgTail | undefined;
  const committing = () => tail?.committing() ?? (() => undefined);
  const writer = new PgWriter({
    pool,
    target,
    flushMs: options.flushMs ?? 0,
    committed: (events) => tail?.local(events),
    committing,
  });

  const opened = (async () => {
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      await migratePg(client, target);
      const head = await client.query<{ next_seq: string }>('SELECT next_seq FROM troupe_head');
      client.release();
      tail = new PgTail({
        pool,
        listen: settings,
        target,
        lastSeq: Number(head.rows[0]?.next_seq) - 1,
        pollMs: options.pollMs ?? 1000,
        notice,
      });
      await tail.start();
    } catch (err) {
      client?.release(true);
      throw toLogError(target, 'open the log', err);
    }
  })();
  opened.catch(() => undefined);
  const ready = (): Promise<void> => {
    if (closed) return Promise.reject(new TroupeError('LOG_CLOSED', `Cannot use ${target}: the log is closed`));
    return opened;
  };

  const log: PostgresLog = {
    target,
    ready,
    append(events: readonly UnsequencedEvent[]): Promise<readonly TroupeEvent[]> {
      if (events.length === 0) return closed ? ready().then(() => []) : Promise.resolve([]);
      try {
        checkEvents(events);
      } catch (err) {
        return Promise.reject(err);
      }
      return ready().then(() => new Promise((resolve, reject) => writer.add({ events, resolve, reject })));
    },
    async read(runId: string, fromSeq = 0): Promise<readonly TroupeEvent[]> {
      await ready();
      writer.forgive(runId);
      try {
        const result = await pool.query<PgEventRow>({
          text: `SELECT ${eventSelect} FROM troupe_events WHERE run_id = $1 AND seq >= $2 ORDER BY seq`,
          values: [runId, fromSeq],
          rowMode: 'array',
        });
        return result.rows.map((row) => decodePgRow(target, row));
      } catch (err) {
        throw toLogError(target, `read run \`${runId}\``, err);
      }
    },
    subscribe(fromSeq?: number): Observable<TroupeEvent> {
      return new Observable<TroupeEvent>((subscriber) => {
        let inner: { unsubscribe(): void } | undefined;
        let gone = false;
        ready().then(
          () => {
            if (!gone) inner = subscribeFrom(tail as PgTail, pool, target, fromSeq).subscribe(subscriber);
          },
          (err: unknown) => subscriber.error(err),
        );
        return () => {
          gone = true;
          inner?.unsubscribe();
        };
      });
    },
    async runs(): Promise<readonly RunSummary[]> {
      await ready();
      try {
        return await runSummaries(pool, target);
      } catch (err) {
        throw toLogError(target, 'list runs', err);
      }
    },
    queue: pgQueue({
      pool,
      target,
      writer,
      ready,
      committed: (events) => tail?.local(events),
      committing,
      get log() {
        return log;
      },
    }),
    async close() {
      if (closed) return;
      await opened.catch(() => undefined);
      await writer.flush();
      closed = true;
      await tail?.stop();
      await pool.end();
    },
  };
  return log;
}
