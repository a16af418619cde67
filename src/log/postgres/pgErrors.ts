import type pg from 'pg';
import { ConfigError, LogUnavailableError, TroupeError } from '../../errors.js';

/** Where a `postgresLog` connects: a connection string or `pg` pool settings. */
export type PostgresConnection = string | pg.PoolConfig;

/** Node's socket errors that mean the server could not be reached or went away. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is not there to answer: class 08 (connection exception), the
 * shutdown family 57P01–57P03, and too many connections.
 */
function isUnavailableState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** Whether `err` means the database cannot be reached now (as opposed to a refused statement). */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof LogUnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (socketCodes.has(code) || isUnavailableState(code))) return true;
  const message = (err as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message)
  );
}

/**
 * Names the server of `connection` without its password, for error messages and notices:
 * `postgres://user@host:port/database`.
 */
export function describeTarget(connection: PostgresConnection): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      url.password = '';
      return url.toString().replace(/\?.*$/, '');
    } catch {
      return 'postgres (unparsable connection string)';
    }
  }
  const user = connection.user ?? 'postgres';
  return `postgres://${user}@${connection.host ?? 'localhost'}:${connection.port ?? 5432}/${connection.database ?? user}`;
}

/** Checks `connection` where it enters: a `postgres://` URL or an object of pool settings. */
export function checkConnection(connection: unknown): asserts connection is PostgresConnection {
  if (typeof connection === 'string') {
    if (!/^postgres(ql)?:\/\//.test(connection)) {
      throw new ConfigError([
        'Expected `connection` of postgresLog to be a postgres:// or postgresql:// URL (or pg pool settings), got a string that is neither',
      ]);
    }
    return;
  }
  if (typeof connection !== 'object' || connection === null || Array.isArray(connection)) {
    throw new ConfigError([
      `Expected \`connection\` of postgresLog to be a postgres:// URL or pg pool settings, got \`${String(connection)}\``,
    ]);
  }
}

/**
 * The typed error for a failed database call: `LogUnavailableError` when the server is
 * unreachable, troupe's own errors as they are, anything else as `LOG_CLOSED` naming the
 * statement's purpose and the server's words.
 */
export function toLogError(target: string, doing: string, err: unknown): TroupeError {
  if (err instanceof TroupeError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (isUnavailable(err)) {
    return new LogUnavailableError(target, `cannot ${doing}: the server is unreachable (${reason})`, { cause: err });
  }
  return new TroupeError('LOG_CLOSED', `${target}: cannot ${doing}: ${reason}`, { cause: err });
}
