import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { sqliteDriver } from './sqliteDriver.js';

/** A read-only connection, and what to undo once it is closed. */
export interface ReadOnlyDatabase {
  db: Database.Database;
  /** Removes the snapshot copy, if one was opened. */
  release(): void;
}

/** SQLite's words for "I could not create the -shm (or -wal) beside the log". */
const cannotWriteBeside = new Set(['SQLITE_READONLY_DIRECTORY', 'SQLITE_CANTOPEN', 'SQLITE_READONLY']);

/**
 * Opens a log for reading. A log in WAL mode needs its `-shm` file beside it even to read; where
 * that cannot be created (a read-only directory, a read-only `-shm`), the log and its WAL are
 * copied to a temporary directory and the copy is read instead — a snapshot, with a notice.
 *
 * @example
 * const { db, release } = openReadOnly('/mnt/ro/events.db', console.warn);
 * // => a connection to a snapshot copy, and a notice naming why
 */
export function openReadOnly(file: string, notice: (message: string) => void): ReadOnlyDatabase {
  let db: Database.Database | undefined;
  try {
    db = new (sqliteDriver())(file, { readonly: true, fileMustExist: true, timeout: 5_000 });
    db.pragma('user_version');
    return { db, release: () => {} };
  } catch (err) {
    db?.close();
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !cannotWriteBeside.has(code)) throw err;
    const dir = mkdtempSync(join(tmpdir(), 'troupe-readonly-'));
    const copy = join(dir, 'events.db');
    try {
      copyFileSync(file, copy);
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
      const snapshot = new (sqliteDriver())(copy, { readonly: true, fileMustExist: true });
      notice(
        `${file}: cannot read it in place (${(err as Error).message}: its directory or its -shm file is read-only); reading a snapshot copied at open instead`,
      );
      return { db: snapshot, release: () => rmSync(dir, { recursive: true, force: true }) };
    } catch (copyErr) {
      rmSync(dir, { recursive: true, force: true });
      throw copyErr;
    }
  }
}
