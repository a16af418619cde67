// bench/eventlog: sqliteLog beside raw better-sqlite3 doing the same work, in the same process.
// Usage: npm run build && npm run bench:eventlog [-- --events 100000 --runs 5 --synchronous full]
//   append  — events/s through log.append, one event per call, all in flight (group commit), durable;
//             beside it the same appends committed on a worker thread, and the main thread's busy
//             time (event-loop utilisation) of each: what an fsync on the main thread costs the loop
//   check   — µs per event of the append-time check (schema + JSON round trip)
//   replay  — events/s through log.read of one run (decode + checks) vs raw iterate + JSON.parse
//   resume  — ms from opening the log to the resumed run dispatching again, for a 100k-event run
// Raw better-sqlite3 does the same work as the log, no more: it writes the very rows the log
// writes (checked before timing: same columns, same format-2 bodies from one JSON.stringify each,
// the same 32-row INSERT, 1,000 events per IMMEDIATE transaction) and replays the very events the
// log returns (checked: JSON.parse plus the columns the body leaves out). Contenders take turns,
// the order rotating each round, with a full GC (--expose-gc) before every sample.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { filter, firstValueFrom } from 'rxjs';
import {
  createRuntime,
  defineTool,
  evolve,
  initialRunState,
  type PlannedTask,
  scriptedModel,
  sqliteLog,
  type TroupeEvent,
  type UnsequencedEvent,
} from 'troupe';
import { z } from 'zod';
import { RunSession } from '../../src/run/RunSession.js';
import { checkEvents } from './logInternals.js';
import { appendViaWorker } from './workerAppend.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '5' },
    synchronous: { type: 'string', default: 'full' },
  },
});
const total = Number(values.events);
const runs = Number(values.runs);
const synchronous = values.synchronous === 'normal' ? 'normal' : 'full';
const dir = mkdtempSync(join(tmpdir(), 'troupe-bench-eventlog-'));
let files = 0;
const freshFile = () => join(dir, `log-${files++}.db`);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Min and median of samples. */
interface Figures {
  min: number;
  median: number;
}

const figures = (samples: number[]): Figures => ({ min: Math.min(...samples), median: median(samples) });

/**
 * Min and median of each contender, sampled round by round in turn (after one warm-up each) so
 * that load from elsewhere on the machine weighs on all alike.
 */
async function compare(...contenders: (() => Promise<number> | number)[]): Promise<Figures[]> {
  const sample = async (contender: () => Promise<number> | number) => {
    // One contender's garbage must not be collected in the next one's time.
    (globalThis as { gc?: () => void }).gc?.();
    return await contender();
  };
  for (const contender of contenders) await sample(contender);
  const samples: number[][] = contenders.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (r + k) % contenders.length;
      samples[i]?.push(await sample(contenders[i] as () => Promise<number> | number));
    }
  }
  return samples.map(figures);
}

/** A run's worth of task events, shaped like the runtime writes them. */
function taskEvents(runId: string, count: number): UnsequencedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'task.completed',
    taskId: `t${i}`,
    output: { i, text: 'posted' },
    durationMs: 1.25,
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    runId,
    ts: 1_700_000_000_000 + i,
    correlationId: runId,
    causationId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
  }));
}

/** Main-thread busy ms of each sample of the append contenders, the warm-up first. */
const busyMs = { log: [] as number[], worker: [] as number[] };

async function appendViaLog(events: readonly UnsequencedEvent[]): Promise<number> {
  const log = sqliteLog(freshFile(), { synchronous });
  const started = performance.now();
  const elu = performance.eventLoopUtilization();
  await Promise.all(events.map((event) => log.append([event])));
  const elapsed = performance.now() - started;
  busyMs.log.push(performance.eventLoopUtilization(elu).active);
  await log.close();
  return elapsed;
}

async function appendOnWorker(events: readonly UnsequencedEvent[]): Promise<number> {
  const { elapsed, busy } = await appendViaWorker(freshFile(), synchronous, events);
  busyMs.worker.push(busy);
  return elapsed;
}

function checkCost(events: readonly UnsequencedEvent[]): number {
  const started = performance.now();
  for (let i = 0; i < events.length; i += 100) checkEvents(events.slice(i, i + 100));
  return performance.now() - started;
}

function rawDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  db.exec(
    'CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, run INTEGER NOT NULL, type TEXT NOT NULL, v INTEGER NOT NULL, body TEXT NOT NULL); CREATE INDEX IF NOT EXISTS events_by_run ON events(run, seq);',
  );
  return db;
}

const insertSql = (rows: number) =>
  `INSERT INTO events (seq, run, type, v, body) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')}`;

/** The body the log stores (row format 2): the event less its seq, type and runId, and its correlationId when that is the runId. */
const rawBody = (event: UnsequencedEvent) =>
  JSON.stringify({
    ...event,
    type: undefined,
    runId: undefined,
    correlationId: event.correlationId === event.runId ? undefined : event.correlationId,
  });

/** The log's rows, written the log's way: 32 rows per INSERT, 1,000 events per IMMEDIATE transaction. */
function appendRaw(events: readonly UnsequencedEvent[], file = freshFile()): number {
  const db = rawDb(file);
  const one = db.prepare(insertSql(1));
  const many = db.prepare(insertSql(32));
  const params: unknown[] = new Array(32 * 5);
  const store = db.transaction((from: number, to: number) => {
    let i = from;
    for (; i + 32 <= to; i += 32) {
      for (let j = 0; j < 32; j++) {
        const event = events[i + j] as UnsequencedEvent;
        params[j * 5] = i + j;
        params[j * 5 + 1] = 1;
        params[j * 5 + 2] = event.type;
        params[j * 5 + 3] = 2;
        params[j * 5 + 4] = rawBody(event);
      }
      many.run(params);
    }
    for (; i < to; i++) {
      const event = events[i] as UnsequencedEvent;
      one.run(i, 1, event.type, 2, rawBody(event));
    }
  });
  const started = performance.now();
  for (let i = 0; i < events.length; i += 1000) store.immediate(i, Math.min(i + 1000, events.length));
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
}

const allRows = (file: string) => {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT seq, run, type, v, body FROM events ORDER BY seq').raw().all();
  db.close();
  return rows;
};

/** Refuses to compare unless raw wrote exactly the rows the log wrote. */
async function checkSameRows(events: readonly UnsequencedEvent[]): Promise<void> {
  const logFile = freshFile();
  const log = sqliteLog(logFile, { synchronous });
  await Promise.all(events.map((event) => log.append([event])));
  await log.close();
  const rawFile = freshFile();
  appendRaw(events, rawFile);
  if (!isDeepStrictEqual(allRows(logFile), allRows(rawFile)))
    throw new Error('raw append wrote other rows than sqliteLog');
}

async function filledLog(events: readonly UnsequencedEvent[]): Promise<string> {
  const file = freshFile();
  const log = sqliteLog(file, { synchronous: 'normal' });
  for (let i = 0; i < events.length; i += 10_000) await log.append(events.slice(i, i + 10_000));
  await log.close();
  return file;
}

async function replayViaLog(file: string, runId: string): Promise<number> {
  const { elapsed } = await readViaLog(file, runId);
  return elapsed;
}

async function readViaLog(file: string, runId: string): Promise<{ elapsed: number; events: readonly TroupeEvent[] }> {
  const log = sqliteLog(file, { readOnly: true });
  const started = performance.now();
  const events = await log.read(runId);
  const elapsed = performance.now() - started;
  if (events.length !== total) throw new Error(`read ${events.length} events, expected ${total}`);
  await log.close();
  return { elapsed, events };
}

/** The run's events rebuilt as the log rebuilds them: the body parsed, the columns it leaves out put back. */
function readRaw(file: string, runId: string): { elapsed: number; events: unknown[] } {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT seq, type, body FROM events WHERE run = ? AND seq >= ? ORDER BY seq').raw();
  const started = performance.now();
  const events: unknown[] = [];
  for (const [seq, type, body] of rows.iterate(1, 0) as IterableIterator<[number, string, string]>) {
    const event = JSON.parse(body) as Record<string, unknown>;
    event.type = type;
    event.runId = runId;
    event.correlationId ??= runId;
    event.seq = seq;
    events.push(event);
  }
  const elapsed = performance.now() - started;
  db.close();
  return { elapsed, events };
}

const replayRaw = (file: string, runId: string) => readRaw(file, runId).elapsed;

/** Refuses to compare unless raw's replay returns exactly the log's events. */
async function checkSameEvents(file: string, runId: string): Promise<void> {
  const fromLog = (await readViaLog(file, runId)).events;
  if (!isDeepStrictEqual(fromLog, readRaw(file, runId).events))
    throw new Error('raw replay returned other events than sqliteLog');
}

/** A real run of `total` events: planned, most tasks done, the last few cut off while running. */
async function crashedRun(): Promise<{ file: string; runId: string }> {
  const file = freshFile();
  const log = sqliteLog(file, { synchronous: 'normal' });
  const runId = 'bench-resume';
  const session = new RunSession(log, runId);
  const count = Math.floor((total - 2) / 3) + 1;
  const tasks: PlannedTask[] = Array.from({ length: count }, (_, i) => ({
    id: `t${i}`,
    description: 'write one line',
    kind: 'tool_call',
    dependsOn: [],
    tool: 'noop',
    input: { i },
  }));
  session.submit({ type: 'start', goal: 'bench' });
  session.submit({ type: 'plan', attempt: 1, tasks });
  for (let i = 0; session.state.events < total; i++) {
    const taskId = `t${i}`;
    session.submit({ type: 'executor', report: { type: 'started', taskId, attempt: 1 } });
    if (session.state.events >= total) break;
    session.submit({ type: 'record_tool_outcome', taskId, tool: 'noop', idempotencyKey: `k${i}`, output: i });
    if (session.state.events >= total) break;
    session.submit({ type: 'executor', report: { type: 'completed', taskId, output: i, durationMs: 1 } });
    if (i % 1000 === 0) await session.durable();
  }
  await session.durable();
  await log.close();
  return { file, runId };
}

const noop = defineTool({
  name: 'noop',
  description: 'does nothing',
  input: z.object({ i: z.number() }),
  run: ({ i }) => i,
});

async function resumeViaRuntime(crashed: string, runId: string): Promise<number> {
  // Each resume appends to the run (and closing cancels it): start every time from the crash.
  const file = freshFile();
  copyFileSync(crashed, file);
  const started = performance.now();
  const runtime = createRuntime({
    log: sqliteLog(file, { synchronous }),
    tools: [noop],
    model: scriptedModel(),
    maxTasks: total,
  });
  // Resumed once a task cut off by the crash is dispatched again (watching new events only).
  const redispatched = firstValueFrom(
    runtime.events$.pipe(filter((event) => event.type === 'task.started' && event.attempt === 2)),
  );
  await runtime.resume(runId);
  await redispatched;
  const elapsed = performance.now() - started;
  await runtime.close();
  return elapsed;
}

function resumeRaw(file: string, runId: string): number {
  const started = performance.now();
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT seq, v, body, type FROM events WHERE run = ? AND seq >= ? ORDER BY seq').raw();
  const state = initialRunState(runId);
  for (const [seq, , body, type] of rows.iterate(1, 0) as IterableIterator<[number, number, string, string]>) {
    // Row format 2: the columns hold what the body leaves out.
    const event = JSON.parse(body) as Record<string, unknown>;
    event.seq = seq;
    event.type = type;
    event.runId = runId;
    event.correlationId = runId;
    evolve(state, event as TroupeEvent);
  }
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
}

const rate = (ms: number) => Math.round((total / ms) * 1000).toLocaleString('en-US');
const show = (ms: number, unit: 'rate' | 'ms') => (unit === 'rate' ? `${rate(ms)} events/s` : `${ms.toFixed(0)} ms`);
function line(label: string, troupe: Figures, raw: Figures, unit: 'rate' | 'ms', target: string): void {
  console.log(
    `${label.padEnd(14)} troupe ${show(troupe.median, unit)} (best ${show(troupe.min, unit)}) | raw better-sqlite3 ${show(raw.median, unit)} (best ${show(raw.min, unit)}) | troupe/raw time: median ${(troupe.median / raw.median).toFixed(2)}×, best ${(troupe.min / raw.min).toFixed(2)}× (target ${target})`,
  );
}

try {
  console.log(
    `bench/eventlog: ${total} events, synchronous=${synchronous}, min and median of ${runs} rounds, contenders in turn each round, order rotating (after one warm-up; raw checked to write the log's rows and return its events)${'gc' in globalThis ? '' : ' — run with --expose-gc for a GC between samples'}`,
  );
  const events = taskEvents('bench-run', total);
  await checkSameRows(events.slice(0, 2000));
  const [log, worker, raw] = (await compare(
    () => appendViaLog(events),
    () => appendOnWorker(events),
    () => appendRaw(events),
  )) as [Figures, Figures, Figures];
  line('append', log, raw, 'rate', '≤ 1.2×');
  line('append/worker', worker, raw, 'rate', '≤ 1.2×');
  console.log(
    `main thread busy during append (median): sqliteLog ${median(busyMs.log.slice(1)).toFixed(0)} ms, worker-thread commit ${median(busyMs.worker.slice(1)).toFixed(0)} ms`,
  );
  const [check] = await compare(() => checkCost(events));
  console.log(
    `check          ${(((check as Figures).median * 1000) / total).toFixed(2)} µs/event median, ${(((check as Figures).min * 1000) / total).toFixed(2)} best (schema + JSON round trip, on every append)`,
  );
  const file = await filledLog(events);
  await checkSameEvents(file, 'bench-run');
  const [replayLog, replayRawFigures] = (await compare(
    () => replayViaLog(file, 'bench-run'),
    () => replayRaw(file, 'bench-run'),
  )) as [Figures, Figures];
  line('replay', replayLog, replayRawFigures, 'rate', '≤ 1.1×');
  const crashed = await crashedRun();
  const [resume, resumeRawFigures] = (await compare(
    () => resumeViaRuntime(crashed.file, crashed.runId),
    () => resumeRaw(crashed.file, crashed.runId),
  )) as [Figures, Figures];
  line('resume', resume, resumeRawFigures, 'ms', '< 1,000 ms');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
