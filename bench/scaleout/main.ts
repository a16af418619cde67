// bench/scaleout: PostgreSQL log appends against raw `pg` doing the same batched inserts, and the
// resume (read + fold) of a 100,000-event run. Starts its own embedded server (default settings,
// fsync on) unless TROUPE_DATABASE_URL names one.
//   npm run bench:scaleout
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type LocalPostgres, startLocalPostgres } from '../../examples/workers/localPostgres.js';
import type { UnsequencedEvent } from '../../src/events/types.js';
import { eventColumns, insertEventsSql } from '../../src/log/postgres/pgWriter.js';
import { postgresLog } from '../../src/log/postgres/postgresLog.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState } from '../../src/run/state.js';

const batches = 200;
const batchSize = 100;
const resumeEvents = 100_000;

function events(runId: string, count: number, from = 0): UnsequencedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'task.completed',
    taskId: `t${from + i}`,
    output: { i: from + i, text: 'a result of typical size for a small tool call' },
    durationMs: 1,
    id: randomUUID(),
    runId,
    ts: Date.now(),
    correlationId: runId,
    causationId: null,
  })) as UnsequencedEvent[];
}

let server: LocalPostgres | undefined;
async function database(name: string): Promise<string> {
  const given = process.env.TROUPE_DATABASE_URL;
  if (given !== undefined) return given;
  server ??= await startLocalPostgres();
  return server.createDatabase(name);
}

async function rawInserts(url: string): Promise<number> {
  const setup = postgresLog(url);
  await setup.ready();
  await setup.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    await client.query('BEGIN');
    await client.query(insertEventsSql, eventColumns(events('raw', batchSize, b * batchSize)));
    await client.query('COMMIT');
  }
  const ms = performance.now() - started;
  await client.end();
  return ms;
}

async function logAppends(url: string): Promise<number> {
  const log = postgresLog(url);
  await log.ready();
  const started = performance.now();
  for (let b = 0; b < batches; b++) await log.append(events('log', batchSize, b * batchSize));
  const ms = performance.now() - started;
  await log.close();
  return ms;
}

async function resume(url: string): Promise<{ appendMs: number; resumeMs: number }> {
  const log = postgresLog(url);
  const runId = 'long-run';
  let started = performance.now();
  await log.append([
    {
      type: 'run.started',
      goal: 'a long run',
      id: randomUUID(),
      runId,
      ts: Date.now(),
      correlationId: runId,
      causationId: null,
    } as UnsequencedEvent,
  ]);
  const writes: Promise<unknown>[] = [];
  for (let i = 1; i < resumeEvents; i += 1000)
    writes.push(log.append(events(runId, Math.min(1000, resumeEvents - i), i)));
  await Promise.all(writes);
  const appendMs = performance.now() - started;
  started = performance.now();
  const stored = await log.read(runId);
  stored.reduce(evolve, initialRunState(runId));
  const resumeMs = performance.now() - started;
  await log.close();
  return { appendMs, resumeMs };
}

const raw = await rawInserts(await database('bench_raw'));
const ours = await logAppends(await database('bench_log'));
const events100k = await resume(await database('bench_resume'));
console.log(`appends: ${batches} batches × ${batchSize} events, each awaited`);
console.log(`  raw pg (BEGIN; INSERT … unnest; COMMIT): ${raw.toFixed(0)} ms`);
console.log(
  `  postgresLog.append:                    ${ours.toFixed(0)} ms  (${(ours / raw).toFixed(2)}× raw; target ≤ 1.3×)`,
);
console.log(
  `resume of a ${resumeEvents.toLocaleString('en')}-event run: read + fold ${events100k.resumeMs.toFixed(0)} ms (written in ${events100k.appendMs.toFixed(0)} ms)`,
);
await server?.remove();
