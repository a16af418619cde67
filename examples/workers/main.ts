// Several troupe processes sharing runs through PostgreSQL: this process submits 50 runs,
// three worker processes take them, one is killed (-9) half-way, and every run completes
// once, its invoice issued once. The database is a throwaway embedded server; point
// TROUPE_DATABASE_URL at your own to use that instead.
//   npm run example:workers
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createRuntime, postgresLog } from 'troupe';
import { type LocalPostgres, startLocalPostgres } from './localPostgres.js';

const runs = 50;
let server: LocalPostgres | undefined;
let url = process.env.TROUPE_DATABASE_URL;
if (url === undefined) {
  server = await startLocalPostgres();
  url = await server.createDatabase('workers_example');
}
const db = new pg.Client({ connectionString: url });
await db.connect();
await db.query(
  'CREATE TABLE IF NOT EXISTS invoices (key text PRIMARY KEY, run_id text NOT NULL, customer text NOT NULL, worker int NOT NULL)',
);

const log = postgresLog(url);
const submitter = createRuntime({ log });
const ids = new Set<string>();
for (let i = 1; i <= runs; i++) ids.add(await submitter.submit(`customer-${i}`));
console.log(`submitted ${runs} runs`);

const script = fileURLToPath(new URL('./worker.js', import.meta.url));
const finished = new Map<number, number>();
const workers: ChildProcess[] = [0, 1, 2].map(() => {
  const child = spawn(process.execPath, [script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.on('data', (chunk: Buffer) => {
    const done = chunk
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('finished ')).length;
    finished.set(child.pid ?? 0, (finished.get(child.pid ?? 0) ?? 0) + done);
  });
  return child;
});

const victim = workers[1] as ChildProcess;
const completed = async () => (await log.runs()).filter((r) => ids.has(r.runId) && r.status === 'completed').length;
let killed = false;
for (;;) {
  const done = await completed();
  if (!killed && done >= runs / 2) {
    victim.kill('SIGKILL');
    killed = true;
    console.log(`killed worker ${victim.pid} (-9) with ${done}/${runs} runs completed`);
  }
  if (done === runs) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
for (const child of workers) if (child !== victim) child.kill('SIGTERM');
const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
await Promise.all(workers.map((child) => (exited(child) ? undefined : new Promise((r) => child.on('exit', r)))));

const invoices = await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM invoices');
for (const child of workers) console.log(`worker ${child.pid}: finished ${finished.get(child.pid ?? 0) ?? 0} runs`);
console.log(`${await completed()}/${runs} runs completed; ${invoices.rows[0]?.n} invoices issued (one per run)`);
const ok = (await completed()) === runs && Number(invoices.rows[0]?.n) === runs;
await db.end();
await submitter.close();
await server?.remove();
process.exit(ok ? 0 : 1);
