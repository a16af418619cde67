// A troupe worker process on a shared PostgreSQL log, driven by the worker e2e tests.
// Usage: node test/support/pgWorkerChild.mjs <database-url> <maxRuns> <leaseMs>
// Each run's plan calls the ledger tool twice. The ledger does what the README asks of every
// tool with side effects: its effect (a row in `ledger`) happens at most once per idempotency
// key; `ledger_calls` records every call, so a test can see calls repeated after a crash.
// Goals starting with "slow" make the first call wait 1.5 s (a run to pause a worker in).
import pg from 'pg';
import { z } from 'zod';
import { createRuntime, defineTool, postgresLog, scriptedModel } from '../../dist/src/index.js';

const [url, maxRuns, leaseMs] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: 4 });
pool.on('error', () => undefined);
await pool
  .query(`CREATE TABLE IF NOT EXISTS ledger (key text PRIMARY KEY, run_id text NOT NULL, worker int NOT NULL);
  CREATE TABLE IF NOT EXISTS ledger_calls (key text NOT NULL, worker int NOT NULL)`)
  .catch(() => undefined);

const ledger = defineTool({
  name: 'ledger',
  description: 'Writes one ledger row, once per idempotency key',
  input: z.object({ n: z.number().int(), slow: z.boolean() }),
  run: async ({ n, slow }, { idempotencyKey, runId }) => {
    process.stdout.write(`call ${runId} ${n}\n`);
    if (slow && n === 0) await new Promise((resolve) => setTimeout(resolve, 1500));
    else await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    await pool.query('INSERT INTO ledger_calls (key, worker) VALUES ($1, $2)', [idempotencyKey, process.pid]);
    await pool.query('INSERT INTO ledger (key, run_id, worker) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [
      idempotencyKey,
      runId,
      process.pid,
    ]);
    return { n };
  },
});

const runtime = createRuntime({
  log: postgresLog(url, { onNotice: () => undefined }),
  tools: [ledger],
  model: scriptedModel({
    plan: (goal) => ({
      tasks: [0, 1].map((n) => ({
        id: `t${n}`,
        description: `ledger line ${n}`,
        kind: 'tool_call',
        tool: 'ledger',
        input: { n, slow: goal.startsWith('slow') },
        dependsOn: n === 0 ? [] : ['t0'],
      })),
    }),
    synthesize: () => 'ledger written',
  }),
  retry: { maxRetries: 3, initialDelayMs: 10, maxDelayMs: 50 },
});

const worker = runtime.work({
  maxRuns: Number(maxRuns),
  leaseMs: Number(leaseMs),
  pollMs: 50,
  onRun: ({ runId, outcome, epoch }) => process.stdout.write(`done ${runId} ${outcome} ${epoch}\n`),
});
process.stdout.write(`ready ${worker.id}\n`);
process.on('SIGTERM', async () => {
  await worker.stop({ drainMs: 5000 });
  await runtime.close();
  await pool.end();
  process.exit(0);
});
