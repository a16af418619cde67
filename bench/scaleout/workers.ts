// Runs per second with N worker processes sharing one PostgreSQL log (see workerProcess.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postgresLog } from '../../src/log/postgres/postgresLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';

const child = fileURLToPath(new URL('./workerProcess.js', import.meta.url));
/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** CPU ms used so far by each PostgreSQL server process (Linux /proc; empty elsewhere). */
function postgresCpu(): Map<number, number> {
  const used = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return used;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      used.set(Number(pid), ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond);
    } catch {
      // The process ended while we looked.
    }
  }
  return used;
}

function cpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpu()) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Calls `each` with every line a child prints. */
function onLines(proc: ChildProcess, each: (line: string) => void): void {
  if (proc.stdout !== null) createInterface({ input: proc.stdout }).on('line', each);
}

export interface Throughput {
  workers: number;
  runs: number;
  ms: number;
  runsPerSecond: number;
  /** CPU ms per run in the worker processes and in the PostgreSQL server. */
  workerCpuPerRun: number;
  databaseCpuPerRun: number;
  /** Events stored per run (each a row appended under the run's lease). */
  eventsPerRun: number;
}

/** Submits `runs` runs, starts `workers` processes, and times them from `go` until every run finished. */
export async function throughput(url: string, workers: number, runs: number, tasksPerRun: number): Promise<Throughput> {
  const log = postgresLog(url);
  const submitter = createRuntime({ log, model: scriptedModel() });
  for (let i = 0; i < runs; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, runs - i) }, (_, j) => submitter.submit(`run ${i + j}`)));
  }
  await submitter.close();

  const procs = Array.from({ length: workers }, () =>
    spawn(process.execPath, [child, url, '8', String(tasksPerRun)], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  let finished = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const ready = procs.map(
    (proc) =>
      new Promise<void>((resolve, reject) => {
        proc.once('exit', (code) => reject(new Error(`a bench worker exited with ${code} before it was ready`)));
        onLines(proc, (line) => {
          if (line === 'ready') resolve();
          else if (line === 'finished' && ++finished === runs) allDone();
        });
      }),
  );
  await Promise.all(ready);
  const database = postgresCpu();
  const started = performance.now();
  for (const proc of procs) proc.stdin?.write('go\n');
  await done;
  const ms = performance.now() - started;
  const databaseCpu = cpuSince(database);
  const workerCpu = await Promise.all(
    procs.map(
      (proc) =>
        new Promise<number>((resolve) => {
          proc.removeAllListeners('exit');
          onLines(proc, (line) => {
            if (line.startsWith('cpu ')) resolve(Number(line.slice(4)));
          });
          proc.kill('SIGTERM');
        }),
    ),
  );
  const totalWorkerCpu = workerCpu.reduce((a, b) => a + b, 0);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const stored = await client.query<{ n: number }>('SELECT count(*)::float8 AS n FROM troupe_events');
  await client.end();
  return {
    workers,
    runs,
    ms,
    runsPerSecond: (runs * 1000) / ms,
    workerCpuPerRun: totalWorkerCpu / runs,
    databaseCpuPerRun: databaseCpu / runs,
    eventsPerRun: (stored.rows[0]?.n ?? 0) / runs,
  };
}
