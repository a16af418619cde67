import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * A URL of a new, empty database on the test run's PostgreSQL server (see pgGlobalSetup), so
 * each test file or case owns its tables.
 */
export async function freshDatabase(prefix = 't'): Promise<string> {
  const admin = inject('pgUrl');
  if (admin === '')
    throw new Error('No PostgreSQL server was started for this test run (see test/support/pgGlobalSetup.ts)');
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/postgres$/, `/${name}`);
}

/** Empties the troupe tables of the database at `url` (if it has them), so a new log there starts at seq 0. */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'troupe_head'");
    if (found.rowCount === 0) return;
    await client.query('TRUNCATE troupe_events, troupe_leases');
    await client.query('UPDATE troupe_head SET next_seq = 0');
  } finally {
    await client.end();
  }
}
