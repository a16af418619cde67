import { TroupeError } from '../errors.js';
import { sqliteDriver } from './sqliteDriver.js';

/** Held while a process writes a log; `release()` lets the next writer in. */
export interface WriterLock {
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
    db.exec('CREATE TABLE IF NOT EXISTS writer (pid INTEGER NOT NULL, since INTEGER NOT NULL)');
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
  return {
    release() {
      if (db.open) db.close();
    },
  };
}

/**
 * Whether another connection holds the writer lock of the log at `file` right now. Takes and
 * drops the lock to find out; a lock that cannot be made (a read-only directory) means no
 * writer can be live either.
 */
export function writerIsLive(file: string): boolean {
  try {
    acquireWriterLock(file, 0).release();
    return false;
  } catch (err) {
    return ((err as { cause?: { code?: string } }).cause?.code ?? '').startsWith('SQLITE_BUSY');
  }
}
