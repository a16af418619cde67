import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { ConfigError, LogCorruptionError, TroupeError } from '../errors.js';
import { endsRun, type TroupeEvent, type UnsequencedEvent } from '../events/types.js';
import { Observable, Subject } from '../util/rx.js';
import type { EventLog } from './EventLog.js';
import { checkEvents } from './eventCheck.js';
import { decodeEvent } from './eventCodec.js';
import { GroupCommit } from './groupCommit.js';
import { openReadOnly } from './readOnlyOpen.js';
import { sqliteDriver } from './sqliteDriver.js';
import { type EventRows, eventRows, type StagedEvent } from './sqliteEventRows.js';
import { migrate } from './sqliteMigrations.js';
import {
  corruptionError,
  decodeRow,
  type EventRow,
  eventColumns,
  isCorruption,
  runNames,
  verifyRow,
} from './sqliteRows.js';
import { summaries } from './sqliteSummaries.js';
import { lossNotice, missingNotice, walLoss } from './walLoss.js';
import { inspectWal } from './walTail.js';
import { acquireWriterLock, peekWriter, type WriterLock } from './writerLock.js';

/** Options of `sqliteLog`. */
export interface SqliteLogOptions {
  /** Open for reading only: no writer lock, no repair; `append` fails with `LOG_CLOSED`. @default false */
  readOnly?: boolean;
  /** `full` syncs every commit to disk (survives power loss); `normal` survives a crash of the process only. @default 'full' */
  synchronous?: 'full' | 'normal';
  /** How long appends may wait to share a commit, in ms; `0` commits at the next turn of the event loop. @default 0 */
  flushMs?: number;
  /** Events that make a batch full and commit at once. @default 1000 */
  maxBatch?: number;
  /** How long to wait for another writer of the file to finish before failing with `LOG_LOCKED`, in ms. @default 0 */
  lockTimeoutMs?: number;
  /** Where notices go (a torn last write repaired). @default process.emitWarning */
  onNotice?: (message: string) => void;
}

/** A durable `EventLog` in a SQLite file. */
export interface SqliteLog extends EventLog {
  /** The log's file, absolute. */
  readonly file: string;
  /** What opening the log had to say (a repaired torn write), in order. */
  readonly notices: readonly string[];
}

const stagedEndsRun = ({ event }: StagedEvent) => endsRun(event);

/** A row of `byRun`: `EventRow` without the run, which the reader named. */
type RunRow = [seq: number, v: number, body: string, type: string];

/** Rows fetched per query while a subscription replays, so listeners may append in between. */
const replayChunk = 1024;

function checkHeader(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const bytes = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, bytes, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  const header = bytes.toString('latin1');
  if (header !== 'SQLite format 3\0') {
    throw new LogCorruptionError(file, 0, `not a SQLite database (its first bytes are ${JSON.stringify(header)})`);
  }
}

function checkOptions(options: SqliteLogOptions): void {
  const issues: string[] = [];
  const { flushMs = 0, maxBatch = 1000, synchronous = 'full', lockTimeoutMs = 0 } = options;
  if (!Number.isInteger(flushMs) || flushMs < 0)
    issues.push(`Expected \`flushMs\` to be an integer ≥ 0, got \`${flushMs}\``);
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    issues.push(`Expected \`maxBatch\` to be an integer ≥ 1, got \`${maxBatch}\``);
  if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs < 0) {
    issues.push(`Expected \`lockTimeoutMs\` to be an integer ≥ 0, got \`${lockTimeoutMs}\``);
  }
  if (synchronous !== 'full' && synchronous !== 'normal') {
    issues.push(`Expected \`synchronous\` to be 'full' or 'normal', got \`${String(synchronous)}\``);
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * An `EventLog` in a SQLite file (WAL mode, better-sqlite3): the durable log for the CLI,
 * examples and any run that must survive a crash. Appends are group-committed — every append
 * made until the next turn of the event loop (or `flushMs`) shares one transaction — and an
 * append resolves only once its transaction is committed; reads and subscriptions see
 * committed events only. One process writes a log at a time (a second writer gets
 * `LOG_LOCKED`); any number may read it with `readOnly: true`. Opening repairs a torn last
 * write (with a notice) and refuses any other damage with `LogCorruptionError`.
 *
 * @example
 * const log = sqliteLog('.troupe/events.db');
 * const runtime = createRuntime({ log, model, tools });
 * await runtime.run('post hello').result;
 * (await log.runs()).length
 * // => 1
 */
export function sqliteLog(path: string, options: SqliteLogOptions = {}): SqliteLog {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new ConfigError([`Expected \`path\` of sqliteLog to be a file path, got \`${String(path)}\``]);
  }
  checkOptions(options);
  const file = resolve(path);
  const readOnly = options.readOnly === true;
  if (readOnly && !existsSync(file)) {
    throw new ConfigError([`Expected \`path\` to name an existing log file, got \`${file}\` (no such file)`]);
  }
  const notices: string[] = [];
  const notice = (message: string) => {
    notices.push(message);
    (options.onNotice ?? ((m: string) => process.emitWarning(m, 'TroupeLogNotice')))(message);
  };

  let lock: WriterLock | undefined;
  let snapshot: (() => void) | undefined;
  let db: Database.Database | undefined;
  try {
    if (!readOnly) {
      mkdirSync(dirname(file), { recursive: true });
      lock = acquireWriterLock(file, options.lockTimeoutMs ?? 0);
    }
    checkHeader(file);
    // A reader judges the WAL's tail like the writer, unless a writer is live: it could then
    // see a commit still in progress.
    const peek = readOnly ? peekWriter(file) : undefined;
    const torn = peek?.live === true ? undefined : inspectWal(`${file}-wal`);
    const previous = lock?.previous ?? peek?.previous;
    if (readOnly) {
      const opened = openReadOnly(file, notice);
      db = opened.db;
      snapshot = opened.release;
    } else {
      db = new (sqliteDriver())(file, { timeout: 5_000 });
    }
    if (!readOnly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    migrate(db, file, readOnly);
    const last = db.prepare(`SELECT ${eventColumns} FROM events ORDER BY seq DESC LIMIT 1`).raw().get() as
      | EventRow
      | undefined;
    if (last !== undefined) verifyRow(file, last, runNames(db)(last[4]));
    if (torn !== undefined && torn.tornBytes > 0) {
      notice(lossNotice(file, torn, walLoss(torn.lost, last?.[0] ?? -1), runNames(db)));
    } else if (previous !== undefined && !previous.clean && previous.lastSeq > (last?.[0] ?? -1)) {
      notice(missingNotice(file, last?.[0] ?? -1, previous.lastSeq));
    }
  } catch (err) {
    const error = isCorruption(err) ? corruptionError(db, file, err) : err;
    db?.close();
    lock?.release();
    snapshot?.();
    throw error;
  }
  const release = (clean: boolean) => {
    if (clean) lock?.closeClean();
    else lock?.release();
    snapshot?.();
  };
  return openLog(db, file, readOnly, release, lock, notices, options);
}

function openLog(
  db: Database.Database,
  file: string,
  readOnly: boolean,
  release: (clean: boolean) => void,
  lock: WriterLock | undefined,
  notices: readonly string[],
  options: SqliteLogOptions,
): SqliteLog {
  const guard = <T>(work: () => T): T => {
    try {
      return work();
    } catch (err) {
      throw isCorruption(err) ? corruptionError(db, file, err) : err;
    }
  };
  let nextSeq = ((db.prepare('SELECT MAX(seq) FROM events').pluck().get() as number | null) ?? -1) + 1;
  const findRun = db.prepare('SELECT id FROM runs WHERE run_id = ?').pluck();
  const appended = new Subject<TroupeEvent>();
  let closed = false;
  const rows = readOnly ? undefined : eventRows(db);
  const writer = new GroupCommit<StagedEvent>({
    commit: (batch) =>
      guard(() => {
        rows?.store(batch);
        lock?.acknowledged((batch[batch.length - 1] as StagedEvent).event.seq);
        // A run that ended is copied into the main file at once, so losing the WAL cannot take it.
        if (batch.some(stagedEndsRun)) db.pragma('wal_checkpoint(PASSIVE)');
      }),
    committed: (batch) => {
      // Nobody subscribed (a plain writer): skip the Subject's per-event bookkeeping.
      if (!appended.observed) return;
      for (const staged of batch) appended.next(staged.event);
    },
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    ...(options.flushMs === undefined ? {} : { flushMs: options.flushMs }),
  });

  // A run's rows need not name their run: the caller gave it.
  const byRun = db.prepare('SELECT seq, v, body, type FROM events WHERE run = ? AND seq >= ? ORDER BY seq').raw();
  const fromSeqChunk = db.prepare(`SELECT ${eventColumns} FROM events WHERE seq >= ? ORDER BY seq LIMIT ?`).raw();
  const runName = runNames(db);

  function append(events: readonly UnsequencedEvent[]): Promise<readonly TroupeEvent[]> {
    if (closed || readOnly) {
      const why = closed ? 'the log is closed' : 'the log was opened read-only';
      return Promise.reject(new TroupeError('LOG_CLOSED', `Cannot append to ${file}: ${why}`));
    }
    if (events.length === 0) return Promise.resolve([]);
    try {
      checkEvents(events);
    } catch (err) {
      return Promise.reject(err);
    }
    const staged = new Array<StagedEvent>(events.length);
    const stored = new Array<TroupeEvent>(events.length);
    for (let i = 0; i < events.length; i++) {
      const row = (rows as EventRows).stage(events[i] as UnsequencedEvent, nextSeq++);
      staged[i] = row;
      stored[i] = row.event;
    }
    return new Promise((done, fail) => writer.add(staged, stored, done, fail));
  }

  function read(runId: string, fromSeq = 0): Promise<readonly TroupeEvent[]> {
    try {
      return Promise.resolve(
        guard(() => {
          const id = findRun.get(runId) as number | undefined;
          if (id === undefined) return [];
          const events: TroupeEvent[] = [];
          for (const row of byRun.iterate(id, fromSeq) as IterableIterator<RunRow>) {
            events.push(decodeEvent(file, { seq: row[0], v: row[1], type: row[3], runId }, row[2]));
          }
          return events;
        }),
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }

  function subscribe(fromSeq?: number): Observable<TroupeEvent> {
    return new Observable<TroupeEvent>((subscriber) => {
      let last = (fromSeq ?? nextSeq) - 1;
      try {
        // Replay in chunks until a query comes back empty, then tail at once: both happen in
        // one synchronous stretch, and commits emit synchronously, so nothing slips between.
        // The first chunks are small: a reader that stops early (a paused dashboard stream)
        // should not have fetched a thousand rows for the few it took.
        for (let chunk = 32; ; chunk = Math.min(chunk * 2, replayChunk)) {
          const rows = guard(() => fromSeqChunk.all(last + 1, chunk) as EventRow[]);
          if (rows.length === 0 || subscriber.closed) break;
          for (const row of rows) {
            if (subscriber.closed) return;
            const event = decodeRow(file, row, runName(row[4]));
            last = event.seq;
            subscriber.next(event);
          }
        }
      } catch (err) {
        subscriber.error(err);
        return;
      }
      if (readOnly || closed) {
        subscriber.complete();
        return;
      }
      return appended.subscribe({
        next: (event) => {
          if (event.seq > last) {
            last = event.seq;
            subscriber.next(event);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
  }

  return {
    file,
    notices,
    append,
    read,
    subscribe,
    runs: () => {
      try {
        return Promise.resolve(guard(() => summaries(db, file)));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      let clean = false;
      try {
        writer.flush();
        if (!readOnly) db.pragma('wal_checkpoint(TRUNCATE)');
        clean = true;
      } finally {
        appended.complete();
        db.close();
        release(clean);
      }
      return Promise.resolve();
    },
  };
}
