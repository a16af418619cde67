import { resolve } from 'node:path';
import { ConfigError, TroupeError } from '../errors.js';
import type { EventLog } from '../log/EventLog.js';
import { describeTarget } from '../log/postgres/pgErrors.js';
import { postgresLog } from '../log/postgres/postgresLog.js';
import { type SqliteLog, type SqliteLogOptions, sqliteLog } from '../log/sqliteLog.js';
import type { CliProject } from './project.js';

/**
 * Opens the CLI's SQLite event log. Whatever the file system refuses (a directory that cannot be
 * created or written, a path that is a directory) becomes a `ConfigError` naming the file and
 * how to choose another, instead of SQLite's bare "unable to open database file".
 *
 * @example
 * openCliLog('/read-only/events.db', {});
 * // => throws ConfigError: Could not open the event log `/read-only/events.db` (unable to open database file): …
 */
export function openCliLog(file: string, options: SqliteLogOptions): SqliteLog {
  try {
    // Notices (a repaired write, a read-only file read from a snapshot) are the CLI's to tell, not Node warnings.
    return sqliteLog(file, { onNotice: (message) => process.stderr.write(`troupe: ${message}\n`), ...options });
  } catch (err) {
    if (err instanceof TroupeError) throw err;
    const what = options.readOnly === true ? 'readable' : 'writable';
    throw new ConfigError(
      [
        `Could not open the event log \`${file}\` (${(err as Error).message}): expected a ${what} file in a ${what} ` +
          'directory; choose another with --log <file> or TROUPE_LOG',
      ],
      { cause: err },
    );
  }
}

/** How a command opens its project's log. */
export interface ProjectLogOptions {
  /** Open a SQLite log read-only (a PostgreSQL log is shared by design: readers and writers alike). */
  readOnly?: boolean;
  /** How long a SQLite writer waits for another writer's lock, in ms. */
  lockTimeoutMs?: number;
  /** Where notices go. @default stderr, prefixed `troupe:` */
  onNotice?: (message: string) => void;
}

/** The log a command names in what it prints: the SQLite file, or the server without its password. */
export function logWhere(project: CliProject): string {
  return project.databaseUrl === undefined ? resolve(project.logFile) : describeTarget(project.databaseUrl);
}

/**
 * The flags that name the project's log again in a printed command: `--log <file>` when it was
 * given, `--database-url <url>` (without its password) when the URL came from the flag, else none
 * (the same project file and environment find the same log).
 */
export function logArgs(project: CliProject): string {
  if (project.logGiven) return ` --log ${project.logFile}`;
  const fromEnv = project.env.TROUPE_DATABASE_URL;
  if (project.databaseUrl === undefined || project.databaseUrl === fromEnv) return '';
  return ` --database-url ${describeTarget(project.databaseUrl)}`;
}

/**
 * Opens the project's event log: PostgreSQL when `--database-url` / `TROUPE_DATABASE_URL`
 * names a server (connecting lazily: an unreachable server fails the first read or append
 * with `LOG_UNAVAILABLE`), else the SQLite file as `openCliLog` does.
 *
 * @example
 * const log = openProjectLog(project, { readOnly: true });
 * await log.runs();
 * // => the runs of the database or file the project names
 */
export function openProjectLog(project: CliProject, options: ProjectLogOptions = {}): EventLog {
  const onNotice = options.onNotice ?? ((message: string) => process.stderr.write(`troupe: ${message}\n`));
  if (project.databaseUrl !== undefined) return postgresLog(project.databaseUrl, { onNotice });
  return openCliLog(project.logFile, {
    onNotice,
    ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  });
}
