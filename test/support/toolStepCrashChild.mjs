// A run of processing steps that call the ledger tool over several turns, on a SQLite log,
// killed and restarted by test/e2e/toolStepCrash.test.ts.
// Usage: node test/support/toolStepCrashChild.mjs <log> <ledger> <runId> <steps> <turns> <calls>
// Before it resumes, the child reads which calls the log already recorded; the ledger tool
// reports `rerun` if it is ever called with one of those keys (a recorded call run twice).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { createRuntime, defineTool, scriptedModel, sqliteLog } from '../../dist/src/index.js';

const [logFile, ledgerFile, runId, stepsArg, turnsArg, callsArg] = process.argv.slice(2);
const [steps, turns, calls] = [Number(stepsArg), Number(turnsArg), Number(callsArg)];

const recorded = new Set();
if (existsSync(logFile)) {
  const reader = sqliteLog(logFile, { readOnly: true });
  for (const event of await reader.read(runId)) {
    if (event.type === 'tool.called' && event.error === undefined) recorded.add(event.idempotencyKey);
  }
  await reader.close();
}
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
  input: z.object({ step: z.number().int(), turn: z.number().int(), i: z.number().int() }),
  run: async ({ step, turn, i }, { idempotencyKey }) => {
    if (recorded.has(idempotencyKey)) process.stdout.write('rerun\n');
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (written.has(idempotencyKey)) {
      process.stdout.write('dedup\n');
    } else {
      appendFileSync(ledgerFile, `${idempotencyKey} s${step}.${turn}.${i}\n`);
      written.add(idempotencyKey);
      process.stdout.write('effect\n');
    }
    return { line: `s${step}.${turn}.${i}` };
  },
});

const plan = {
  tasks: Array.from({ length: steps }, (_, step) => ({
    id: `s${step}`,
    description: `write the lines of step ${step}`,
    kind: 'processing',
  })),
};

const model = scriptedModel({
  plan: () => plan,
  process: (task, request) => {
    const done = request.turns?.length ?? 0;
    if (done === turns) return `${task.id}: ${done * calls} lines`;
    const step = Number(task.id.slice(1));
    return {
      toolCalls: Array.from({ length: calls }, (_, i) => ({ name: 'ledger', arguments: { step, turn: done, i } })),
    };
  },
  synthesize: () => 'ledger written',
});

const runtime = createRuntime({
  log: sqliteLog(logFile),
  model,
  tools: [ledger],
  concurrency: 4,
  maxToolCalls: turns * calls,
});
process.stdout.write('ready\n');
let handle;
try {
  handle = await runtime.resume(runId);
} catch (err) {
  if (err?.code !== 'RUN_NOT_FOUND') throw err;
  handle = runtime.run('write the ledger from processing steps', { runId });
}
const result = await handle.result;
await runtime.close();
process.stdout.write(`done ${result.status}\n`);
