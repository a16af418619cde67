import type pg from 'pg';
import { LogCorruptionError } from '../../errors.js';

/** One step of the PostgreSQL schema, applied once, in order, inside the migrating transaction. */
interface Migration {
  version: number;
  sql: string;
}

/**
 * The schema of a troupe PostgreSQL log, oldest first. Never edit a released step: add one.
 *
 * `troupe_head` is a single row holding the next `seq`. An append takes `seq` values by
 * updating it, and the row stays locked until the append's transaction commits, so appends
 * commit in `seq` order: whatever a reader sees is a whole prefix of the log, and reading on
 * from the last `seq` seen can never skip one that commits later.
 *
 * `troupe_leases` is the queue of shared runs: `queued` (any worker may claim it), `leased`
 * (held by `owner` until `expires_at`, under fencing token `epoch`) or `done`.
 */
const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE troupe_head (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        next_seq bigint NOT NULL
      );
      INSERT INTO troupe_head (id, next_seq) VALUES (true, 0);
      CREATE TABLE troupe_events (
        seq bigint PRIMARY KEY,
        run_id text NOT NULL,
        type text NOT NULL,
        v integer NOT NULL,
        body text NOT NULL
      );
      CREATE INDEX troupe_events_by_run ON troupe_events (run_id, seq);
      CREATE TABLE troupe_leases (
        run_id text PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('queued', 'leased', 'done')),
        owner text,
        epoch bigint NOT NULL DEFAULT 0,
        expires_at timestamptz,
        queued_seq bigint NOT NULL
      );
      CREATE INDEX troupe_leases_open ON troupe_leases (queued_seq) WHERE state <> 'done';
    `,
  },
  {
    // One round trip per batch: the fence check, the insert and the retirement of ended runs
    // run inside the server, so the head row is held only for the work and the commit, never
    // for a client's round trip (a busy or paused client would stall every writer).
    version: 2,
    sql: `
      CREATE FUNCTION troupe_append(
        p_runs text[], p_types text[], p_bodies text[], p_epochs bigint[], p_v integer, p_terminal text[],
        OUT first_seq bigint, OUT refused_runs text[], OUT refused_epochs bigint[],
        OUT refused_states text[], OUT refused_at bigint[]
      ) LANGUAGE plpgsql AS $fn$
      DECLARE
        keep boolean[];
        taken bigint;
      BEGIN
        IF p_epochs IS NULL THEN
          -- No event is fenced: all are kept.
          keep := array_fill(true, ARRAY[cardinality(p_runs)]);
          taken := cardinality(p_runs);
        ELSE
          -- Lease rows of fenced runs are locked first, in run order, and held to commit, so
          -- no claim slips in between the check and the commit.
          PERFORM 1 FROM troupe_leases
            WHERE run_id IN (SELECT x.r FROM unnest(p_runs, p_epochs) AS x(r, e) WHERE x.e IS NOT NULL)
            ORDER BY run_id FOR UPDATE;
          SELECT array_agg(x.e IS NULL OR EXISTS (
                   SELECT 1 FROM troupe_leases l WHERE l.run_id = x.r AND l.state = 'leased' AND l.epoch = x.e)
                 ORDER BY x.n)
            INTO keep
            FROM unnest(p_runs, p_epochs) WITH ORDINALITY AS x(r, e, n);
          SELECT array_agg(f.r ORDER BY f.r, f.e), array_agg(f.e ORDER BY f.r, f.e),
                 array_agg(coalesce(l.state, 'missing') ORDER BY f.r, f.e), array_agg(l.epoch ORDER BY f.r, f.e)
            INTO refused_runs, refused_epochs, refused_states, refused_at
            FROM (SELECT DISTINCT x.r, x.e FROM unnest(p_runs, p_epochs, keep) AS x(r, e, k) WHERE NOT x.k) AS f
            LEFT JOIN troupe_leases l ON l.run_id = f.r;
          SELECT count(*) INTO taken FROM unnest(keep) AS x(k) WHERE x.k;
        END IF;
        first_seq := 0;
        IF taken > 0 THEN
          UPDATE troupe_head SET next_seq = next_seq + taken RETURNING next_seq - taken INTO first_seq;
          INSERT INTO troupe_events (seq, run_id, type, v, body)
            SELECT first_seq + row_number() OVER (ORDER BY x.n) - 1, x.r, x.t, p_v, x.b
            FROM unnest(p_runs, p_types, p_bodies, keep) WITH ORDINALITY AS x(r, t, b, k, n)
            WHERE x.k;
          IF p_epochs IS NOT NULL THEN
            UPDATE troupe_leases SET state = 'done', owner = NULL, expires_at = NULL
              WHERE run_id IN (SELECT x.r FROM unnest(p_runs, p_types, p_epochs, keep) AS x(r, t, e, k)
                               WHERE x.k AND x.e IS NOT NULL AND x.t = ANY(p_terminal));
          END IF;
          PERFORM pg_notify('troupe_events', (first_seq + taken - 1)::text);
        END IF;
      END
      $fn$;
    `,
  },
];

/** The schema version this build of troupe writes to PostgreSQL. */
export const pgSchemaVersion = migrations.length;

/** Any constant key serialises migrations of every process on one database. */
const migrationLockKey = 0x74726f75;

/**
 * Brings the database's troupe tables up to `pgSchemaVersion` in one transaction, under an
 * advisory lock so workers starting together migrate once. A schema written by a newer troupe
 * is refused rather than misread.
 *
 * @example
 * await migratePg(client, 'postgres://troupe@127.0.0.1:5432/troupe');
 * // => 1 (the version the database is now at)
 */
export async function migratePg(client: pg.ClientBase, target: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS troupe_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const found = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM troupe_schema');
    const current = found.rows[0]?.version ?? 0;
    if (current > pgSchemaVersion) {
      throw new LogCorruptionError(
        target,
        0,
        `schema version ${current} was written by a newer troupe; this one reads up to ${pgSchemaVersion}`,
      );
    }
    for (const step of migrations) {
      if (step.version <= current) continue;
      await client.query(step.sql);
      await client.query('INSERT INTO troupe_schema (version) VALUES ($1)', [step.version]);
    }
    await client.query('COMMIT');
    return pgSchemaVersion;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
