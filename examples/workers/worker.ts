// One worker process of examples/workers: takes runs from the shared PostgreSQL log until SIGTERM.
//   node dist/examples/workers/worker.js <database-url>
// Its `invoice` tool has a side effect (a row in `invoices`) that it makes at most once per
// idempotency key, as every tool with effects should: a run resumed by another worker after a
// crash may call it again, and the second call must change nothing.
import pg from 'pg';
import { createRuntime, defineTool, postgresLog, scriptedModel } from 'troupe';
import { z } from 'zod';

const url = process.argv[2] ?? process.env.TROUPE_DATABASE_URL ?? '';
const db = new pg.Pool({ connectionString: url, max: 2 });
db.on('error', () => undefined);

const invoice = defineTool({
  name: 'invoice',
  description: 'Issues an invoice, once per idempotency key',
  input: z.object({ customer: z.string() }),
  run: async ({ customer }, { idempotencyKey, runId }) => {
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60));
    await db.query(
      'INSERT INTO invoices (key, run_id, customer, worker) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
      [idempotencyKey, runId, customer, process.pid],
    );
    return { customer, issued: true };
  },
});

const runtime = createRuntime({
  log: postgresLog(url, { onNotice: () => undefined }),
  tools: [invoice],
  model: scriptedModel({
    plan: (goal) => ({
      tasks: [{ id: 'bill', description: goal, kind: 'tool_call', tool: 'invoice', input: { customer: goal } }],
    }),
    synthesize: () => 'invoiced',
  }),
});

const worker = runtime.work({
  maxRuns: 4,
  leaseMs: 2000,
  pollMs: 50,
  onRun: ({ runId, outcome }) => process.stdout.write(`${outcome} ${runId}\n`),
});
process.on('SIGTERM', () => {
  void worker
    .stop({ drainMs: 5000 })
    .then(() => runtime.close())
    .then(() => db.end())
    .then(() => process.exit(0));
});
