// bench/scaleout: PostgreSQL log appends against raw `pg` doing the same batched inserts, runs per
// second with 1, 2 and 3 worker processes, and the resume (read + fold) of a 100,000-event run.
// Starts its own embedded server (default settings, fsync on) unless TROUPE_DATABASE_URL names one.
// Contenders alternate round by round; figures are min / median over the rounds.
//   npm run bench:scaleout [-- --rounds 3 --runs 300 --tasks 5]
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type LocalPostgres, startLocalPostgres } from '../../examples/workers/localPostgres.js';
import type { UnsequencedEvent } from '../../src/events/types.js';
import { encodeEvent, eventVersion } from '../../src/log/eventCodec.js';
import { postgresLog } from '../../src/log/postgres/postgresLog.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState } from '../../src/run/state.js';
import { type Throughput, throughput } from './workers.js';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}
const rounds = flag('rounds', 3);
const workerRuns = flag('runs', 300);
const tasksPerRun = flag('tasks', 5);

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

/**
 * What a hand-written app would send for the same batch: seq values taken from the head row,
 * the rows inserted with `unnest`, listeners woken, bodies in the same stored format.
 */
const rawSql = `
  WITH head AS (
    UPDATE troupe_head SET next_seq = next_seq + $1 RETURNING next_seq - $1 AS first
  ), stored AS (
    INSERT INTO troupe_events (seq, run_id, type, v, body)
    SELECT head.first + row.n - 1, row.run_id, row.type, $2, row.body
    FROM head, unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS row(run_id, type, body, n)
  )
  SELECT pg_notify('troupe_events', (head.first + $1 - 1)::text) FROM head`;

function rawColumns(batch: readonly UnsequencedEvent[]): unknown[] {
  return [
    batch.length,
    eventVersion,
    batch.map((e) => e.runId),
    batch.map((e) => e.type),
    batch.map((e) => encodeEvent(e)),
  ];
}

/** The same batched inserts with raw `pg`: in an explicit transaction, or as one autocommitted statement. */
async function rawInserts(url: string, transaction: boolean): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    if (transaction) await client.query('BEGIN');
    await client.query(rawSql, rawColumns(events('raw', batchSize, b * batchSize)));
    if (transaction) await client.query('COMMIT');
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

const summary = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] as number, median: sorted[Math.floor(sorted.length / 2)] as number };
};
const fmt = (values: readonly number[], digits = 0) => {
  const { min, median } = summary(values);
  return `${min.toFixed(digits)} / ${median.toFixed(digits)}`;
};

// Appends: each contender on a fresh database (schema made by the log) every round, in a
// rotating order, so neither a growing table nor its place in the round favours one.
type Contender = 'tx' | 'single' | 'log';
const appendTimes: Record<Contender, number[]> = { tx: [], single: [], log: [] };
const order: Contender[] = ['tx', 'single', 'log'];
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < order.length; i++) {
    const contender = order[(round + i) % order.length] as Contender;
    const url = await database(`bench_appends_${contender}_${round}`);
    const setup = postgresLog(url);
    await setup.ready();
    await setup.close();
    appendTimes[contender].push(
      contender === 'log' ? await logAppends(url) : await rawInserts(url, contender === 'tx'),
    );
  }
}
const ratio = (ours: number[], raw: number[]) => ours.map((ms, i) => ms / (raw[i] as number));
console.log(`appends: ${batches} batches × ${batchSize} events, each awaited; ${rounds} rounds, ms min / median`);
console.log(`  raw pg, BEGIN; INSERT … unnest; COMMIT: ${fmt(appendTimes.tx)}`);
console.log(`  raw pg, the same INSERT autocommitted: ${fmt(appendTimes.single)}`);
console.log(`  postgresLog.append:                    ${fmt(appendTimes.log)}`);
console.log(
  `  postgresLog ÷ raw in a transaction ${fmt(ratio(appendTimes.log, appendTimes.tx), 2)}×, ÷ raw autocommitted ${fmt(ratio(appendTimes.log, appendTimes.single), 2)}× (target ≤ 1.3×)`,
);

// Worker processes: a fresh database per round and contender, 1, 2 and 3 workers in turn.
const byWorkers = new Map<number, Throughput[]>([
  [1, []],
  [2, []],
  [3, []],
]);
for (let round = 0; round < rounds; round++) {
  for (const [workers, results] of byWorkers)
    results.push(await throughput(await database(`bench_w${workers}_${round}`), workers, workerRuns, tasksPerRun));
}
console.log(
  `worker processes: ${workerRuns} submitted runs × ${tasksPerRun} tool tasks, 8 runs at once per worker; ${rounds} rounds, min / median`,
);
const oneWorker = summary((byWorkers.get(1) ?? []).map((t) => t.runsPerSecond)).median;
for (const [workers, results] of byWorkers) {
  const perSecond = results.map((t) => t.runsPerSecond);
  console.log(
    `  ${workers} worker${workers === 1 ? ' ' : 's'}: ${fmt(perSecond)} runs/s (median ${(summary(perSecond).median / oneWorker).toFixed(2)}× one worker); CPU per run: workers ${fmt(
      results.map((t) => t.workerCpuPerRun),
      2,
    )} ms, PostgreSQL ${fmt(
      results.map((t) => t.databaseCpuPerRun),
      2,
    )} ms; ${(results[0]?.eventsPerRun ?? 0).toFixed(1)} events per run`,
  );
}

const events100k = await resume(await database('bench_resume'));
console.log(
  `resume of a ${resumeEvents.toLocaleString('en')}-event run: read + fold ${events100k.resumeMs.toFixed(0)} ms (written in ${events100k.appendMs.toFixed(0)} ms)`,
);
await server?.remove();
