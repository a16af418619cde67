import { ConfigError, TroupeError } from '../errors.js';
import { type SqliteLog, type SqliteLogOptions, sqliteLog } from '../log/sqliteLog.js';

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
