// A run of N ledger tasks on a SQLite log, killed and restarted by test/e2e/crashResume.test.ts.
// Usage: node test/support/crashChild.mjs <log> <ledger> <runId> <tasks>
// The ledger tool does what the README asks of every tool with side effects: it writes its
// effect at most once per idempotency key (here by remembering the keys already in the file).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { createRuntime, defineTool, scriptedModel, sqliteLog } from '../../dist/src/index.js';

const [logFile, ledgerFile, runId, count] = process.argv.slice(2);
const tasks = Number(count);
const written = new Set(
  existsSync(ledgerFile)
    ? readFileSync(ledgerFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ')[0])
    : [],
);

const ledger = defineTool({
  name: 'ledger',
  description: 'Writes one line to the ledger, once per idempotency key',
  input: z.object({ n: z.number().int() }),
  run: async ({ n }, { idempotencyKey }) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (written.has(idempotencyKey)) {
      process.stdout.write('dedup\n');
    } else {
      appendFileSync(ledgerFile, `${idempotencyKey} t${n}\n`);
      written.add(idempotencyKey);
      process.stdout.write('effect\n');
    }
    return { n };
  },
});

const plan = {
  tasks: Array.from({ length: tasks }, (_, n) => ({
    id: `t${n}`,
    description: `write line ${n}`,
    kind: 'tool_call',
    tool: 'ledger',
    input: { n },
  })),
};

const runtime = createRuntime({
  log: sqliteLog(logFile, { onNotice: (message) => process.stderr.write(`notice: ${message}\n`) }),
  model: scriptedModel({ plan: () => plan, synthesize: () => 'ledger written' }),
  tools: [ledger],
  concurrency: 8,
  maxTasks: tasks,
});
process.stdout.write('ready\n');
let handle;
try {
  handle = await runtime.resume(runId);
} catch (err) {
  if (err?.code !== 'RUN_NOT_FOUND') throw err;
  handle = runtime.run(`write ${tasks} ledger lines`, { runId });
}
const result = await handle.result;
await runtime.close();
process.stdout.write(`done ${result.status}\n`);
