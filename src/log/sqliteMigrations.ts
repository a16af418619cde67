import type Database from 'better-sqlite3';
import { LogCorruptionError, TroupeError } from '../errors.js';

/** One step of the log's schema, applied once, in order, inside a transaction. */
interface Migration {
  version: number;
  sql: string;
}

/**
 * The schema of a troupe SQLite log, oldest first. Never edit a released step: add one.
 * Runs get a small integer id (`runs.id`) so the per-event index stays narrow; `seq` is the
 * rowid, so reading in log order needs no sort.
 */
const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE runs (id INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        run INTEGER NOT NULL REFERENCES runs(id),
        type TEXT NOT NULL,
        v INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX events_by_run ON events(run, seq);
    `,
  },
];

/** The schema version this build of troupe writes. */
export const schemaVersion = migrations.length;

/**
 * Brings the schema of `db` up to `schemaVersion`, recording each step in `schema_version`.
 * A log written by a newer troupe is refused rather than misread.
 *
 * @example
 * migrate(db, '.troupe/events.db');
 * // => 1 (the version the log is now at)
 */
export function migrate(db: Database.Database, file: string, readOnly: boolean): number {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
    .pluck()
    .get();
  const current =
    hasTable === undefined
      ? 0
      : ((db.prepare('SELECT MAX(version) FROM schema_version').pluck().get() as number | null) ?? 0);
  if (current > schemaVersion) {
    throw new LogCorruptionError(
      file,
      0,
      `schema version ${current} was written by a newer troupe; this one reads up to ${schemaVersion}`,
    );
  }
  if (current === schemaVersion) return current;
  if (readOnly) {
    throw new TroupeError(
      'LOG_CLOSED',
      `Cannot read ${file}: its schema is at version ${current}, expected ${schemaVersion}; open it once for writing to migrate it`,
    );
  }
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)');
    const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
    for (const step of migrations) {
      if (step.version <= current) continue;
      db.exec(step.sql);
      record.run(step.version, Date.now());
    }
  }).immediate();
  return schemaVersion;
}
