// bench/overhead: what the whole runtime costs per task, beside bare p-limit in the same process.
// Usage: npm run build && npm run bench:overhead [-- --tasks 10000 --concurrency 100 --runs 5 --log memory|sqlite]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { createRuntime, defineTool, type EventLog, memoryLog, scriptedModel, sqliteLog } from 'troupe';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '5' },
    'sleep-ms': { type: 'string', default: '5' },
    log: { type: 'string', default: 'memory' },
  },
});
const tasks = Number(values.tasks);
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);
const sleepMs = Number(values['sleep-ms']);
// `--log sqlite`: a fresh durable sqliteLog (WAL, synchronous=FULL) per run, in a temp dir removed at the end.
const logDir = values.log === 'sqlite' ? mkdtempSync(join(tmpdir(), 'troupe-bench-overhead-')) : undefined;
let logFiles = 0;
const makeLog = logDir === undefined ? memoryLog : () => sqliteLog(join(logDir, `run-${logFiles++}.db`));
const logLabel = logDir === undefined ? 'memoryLog' : 'sqliteLog';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const noop = (_i: number) => Promise.resolve(_i);
const sleeper = (_i: number) => pause(sleepMs);

const input = z.object({ i: z.number() });
const noopTool = defineTool({ name: 'noop', description: 'does nothing', input, run: ({ i }) => i });
const sleepTool = defineTool({ name: 'sleep', description: `waits ${sleepMs} ms`, input, run: () => pause(sleepMs) });

const plan = (tool: string) =>
  JSON.stringify({
    tasks: Array.from({ length: tasks }, (_, i) => ({
      id: `t${i}`,
      description: 'task',
      kind: 'tool_call',
      tool,
      input: { i },
    })),
  });

async function viaRuntime(tool: string, log: () => EventLog): Promise<number> {
  const text = plan(tool);
  const runtime = createRuntime({
    log: log(),
    model: scriptedModel({ plan: () => text, synthesize: () => 'done' }),
    tools: [noopTool, sleepTool],
    concurrency,
    maxTasks: tasks,
  });
  const started = performance.now();
  const result = await runtime.run(`run ${tasks} ${tool} tasks`).result;
  const elapsed = performance.now() - started;
  if (result.status !== 'completed') throw new Error(`run ${result.status}: ${result.error?.message}`);
  await runtime.close();
  return elapsed;
}

async function viaPLimit(work: (i: number) => Promise<unknown>): Promise<number> {
  const limit = pLimit(concurrency);
  const started = performance.now();
  await Promise.all(Array.from({ length: tasks }, (_, i) => limit(() => work(i))));
  return performance.now() - started;
}

async function median(measure: () => Promise<number>): Promise<number> {
  await measure();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) samples.push(await measure());
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

const perTask = (ms: number) => ((ms * 1000) / tasks).toFixed(1);

console.log(`bench/overhead: ${tasks} tasks, concurrency ${concurrency}, median of ${runs} runs (after one warm-up)`);
const rows: [string, number, number][] = [];
for (const [label, tool, work] of [
  ['no-op tasks', 'noop', noop],
  [`${sleepMs} ms tasks`, 'sleep', sleeper],
] as const) {
  const base = await median(() => viaPLimit(work));
  const runtime = await median(() => viaRuntime(tool, makeLog));
  rows.push([label, base, runtime]);
}
for (const [label, base, runtime] of rows) {
  console.log(
    `${label.padEnd(12)} p-limit ${perTask(base).padStart(7)} µs/task | troupe (${logLabel}) ${perTask(runtime).padStart(7)} µs/task | ratio ${(runtime / base).toFixed(2)}×`,
  );
}
if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
