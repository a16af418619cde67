import { TroupeError } from '../errors.js';
import { sqliteDriver } from './sqliteDriver.js';

/** What the last writer of a log recorded beside it (in the lock file). */
export interface WriterRecord {
  /** The last `seq` it acknowledged; `-1` for none. */
  lastSeq: number;
  /** Whether it closed the log (checkpointing everything into the main file). */
  clean: boolean;
}

/** Held while a process writes a log; `release()` lets the next writer in. */
export interface WriterLock {
  /** What the previous writer recorded, if it recorded anything. */
  readonly previous: WriterRecord | undefined;
  /** Records the last acknowledged `seq` (no fsync: it outlives a crash of the process, not of the machine). */
  acknowledged(lastSeq: number): void;
  /** Records a clean close, then releases. */
  closeClean(): void;
  release(): void;
}

/**
 * Takes the single-writer lock of the log at `file`: an exclusive SQLite lock on the sidecar
 * `<file>-lock`, held until `release()`. The operating system drops it when the process dies,
 * even by SIGKILL, so a crashed writer never leaves a stale lock behind; readers of the log
 * itself are not affected. A second writer, in this process or another, gets `LOG_LOCKED` at
 * (after waiting up to `timeoutMs` for it to finish) instead of interleaving its `seq`s with ours.
 *
 * @example
 * const lock = acquireWriterLock('.troupe/events.db');
 * acquireWriterLock('.troupe/events.db');
 * // => throws TroupeError LOG_LOCKED
 */
export function acquireWriterLock(file: string, timeoutMs = 0): WriterLock {
  const lockFile = `${file}-lock`;
  // SQLite's busy handler retries for `timeoutMs`: a writer that finishes soon lets us in.
  const db = new (sqliteDriver())(lockFile, { timeout: timeoutMs });
  try {
    db.pragma('journal_mode = MEMORY');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('synchronous = OFF');
    db.exec('CREATE TABLE IF NOT EXISTS writer (pid INTEGER NOT NULL, since INTEGER NOT NULL)');
    db.exec('CREATE TABLE IF NOT EXISTS written (last_seq INTEGER NOT NULL, clean INTEGER NOT NULL)');
    // The first write in EXCLUSIVE mode takes the exclusive lock and keeps it until close.
    db.transaction(() => {
      db.exec('DELETE FROM writer');
      db.prepare('INSERT INTO writer (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
    }).exclusive();
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new TroupeError(
        'LOG_LOCKED',
        `Cannot open ${file} for writing: another troupe process (or another log in this one) is writing it${timeoutMs > 0 ? ` (waited ${timeoutMs} ms)` : ''}; open it read-only (\`readOnly: true\`), or use another log file`,
        { cause: err },
      );
    }
    throw new TroupeError('LOG_LOCKED', `Cannot take the writer lock ${lockFile}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const row = db.prepare('SELECT last_seq, clean FROM written').raw().get() as [number, number] | undefined;
  const previous = row === undefined ? undefined : { lastSeq: row[0], clean: row[1] === 1 };
  db.exec('DELETE FROM written');
  db.prepare('INSERT INTO written (last_seq, clean) VALUES (?, 0)').run(previous?.lastSeq ?? -1);
  const update = db.prepare('UPDATE written SET last_seq = ?, clean = ?');
  return {
    previous,
    acknowledged: (lastSeq) => update.run(lastSeq, 0),
    closeClean() {
      if (!db.open) return;
      db.prepare('UPDATE written SET clean = 1').run();
      db.close();
    },
    release() {
      if (db.open) db.close();
    },
  };
}

/**
 * Whether another connection holds the writer lock of the log at `file` right now, and if not,
 * what its last writer recorded. Takes and drops the lock to find out (leaving the record as
 * it was); a lock that cannot be made (a read-only directory) means no writer can be live.
 */
export function peekWriter(file: string): { live: boolean; previous?: WriterRecord } {
  try {
    const lock = acquireWriterLock(file, 0);
    if (lock.previous?.clean === true) lock.closeClean();
    else lock.release();
    return lock.previous === undefined ? { live: false } : { live: false, previous: lock.previous };
  } catch (err) {
    return { live: ((err as { cause?: { code?: string } }).cause?.code ?? '').startsWith('SQLITE_BUSY') };
  }
}
