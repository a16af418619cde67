// bench/overhead: what the whole runtime costs per task, beside bare p-limit in the same process.
// Usage: npm run build && npm run bench:overhead [-- --tasks 10000 --big 100000 --concurrency 100 --runs 5
//        --log both|memory|sqlite --many-runs 1000 --tasks-per-run 10 --only noop,sleep,scale,many]
// Quick look: npm run bench:overhead -- --tasks 2000 --big 0 --runs 3 --many-runs 100
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { createRuntime, defineTool, type EventLog, memoryLog, scriptedModel, sqliteLog } from 'troupe';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    big: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '5' },
    'sleep-ms': { type: 'string', default: '5' },
    log: { type: 'string', default: 'both' },
    'many-runs': { type: 'string', default: '1000' },
    'tasks-per-run': { type: 'string', default: '10' },
    only: { type: 'string', default: 'noop,sleep,scale,many' },
    // Internal: one measurement in a fresh process (for its peak RSS), printed as JSON.
    child: { type: 'string' },
  },
});
const tasks = Number(values.tasks);
const big = Number(values.big);
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);
const sleepMs = Number(values['sleep-ms']);
const manyRuns = Number(values['many-runs']);
const tasksPerRun = Number(values['tasks-per-run']);
const sections = new Set(values.only.split(','));
const logKinds = values.log === 'both' ? (['memory', 'sqlite'] as const) : ([values.log] as ('memory' | 'sqlite')[]);

// sqliteLog: a fresh durable log (WAL, synchronous=FULL) per run, in a temp dir removed at the end.
const logDir = mkdtempSync(join(tmpdir(), 'troupe-bench-overhead-'));
let logFiles = 0;
const makeLog = (kind: 'memory' | 'sqlite'): EventLog =>
  kind === 'memory' ? memoryLog() : sqliteLog(join(logDir, `run-${logFiles++}.db`));
const label = (kind: 'memory' | 'sqlite') => `${kind}Log`;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const noop = (i: number) => Promise.resolve(i);
const sleeper = (_i: number) => pause(sleepMs);

const input = z.object({ i: z.number() });
const noopTool = defineTool({ name: 'noop', description: 'does nothing', input, run: ({ i }) => i });
const sleepTool = defineTool({ name: 'sleep', description: `waits ${sleepMs} ms`, input, run: () => pause(sleepMs) });

const plan = (n: number, tool: string) =>
  JSON.stringify({
    tasks: Array.from({ length: n }, (_, i) => ({
      id: `t${i}`,
      description: 'task',
      kind: 'tool_call',
      tool,
      input: { i },
    })),
  });

/** One run of `n` tool tasks through the runtime; ms from `run()` to its result. */
async function viaRuntime(n: number, tool: string, kind: 'memory' | 'sqlite'): Promise<number> {
  const text = plan(n, tool);
  const runtime = createRuntime({
    log: makeLog(kind),
    model: scriptedModel({ plan: () => text, synthesize: () => 'done' }),
    tools: [noopTool, sleepTool],
    concurrency,
    maxTasks: n,
  });
  const started = performance.now();
  const result = await runtime.run(`run ${n} ${tool} tasks`).result;
  const elapsed = performance.now() - started;
  if (result.status !== 'completed') throw new Error(`run ${result.status}`);
  await runtime.close();
  return elapsed;
}

async function viaPLimit(n: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const limit = pLimit(concurrency);
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => limit(() => work(i))));
  return performance.now() - started;
}

/** `runs` concurrent runs of `perRun` no-op tasks each on one runtime; ms for all of them. */
async function manyConcurrentRuns(kind: 'memory' | 'sqlite'): Promise<number> {
  const text = plan(tasksPerRun, 'noop');
  const runtime = createRuntime({
    log: makeLog(kind),
    model: scriptedModel({ plan: () => text, synthesize: () => 'done' }),
    tools: [noopTool],
    concurrency,
    maxTasks: tasksPerRun,
  });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: manyRuns }, (_, i) => runtime.run(`run ${i}`).result));
  const elapsed = performance.now() - started;
  if (results.some((r) => r.status !== 'completed')) throw new Error('a run did not complete');
  await runtime.close();
  return elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const us = (ms: number, n: number) => (ms * 1000) / n;
const fmt = (x: number) => x.toFixed(1).padStart(7);

/** p-limit and troupe alternately, round by round after one warm-up of each; medians of the pairs. */
async function paired(n: number, tool: string, work: (i: number) => Promise<unknown>, kind: 'memory' | 'sqlite') {
  await viaPLimit(n, work);
  await viaRuntime(n, tool, kind);
  const base: number[] = [];
  const over: number[] = [];
  const ratio: number[] = [];
  for (let r = 0; r < runs; r++) {
    const b = await viaPLimit(n, work);
    const t = await viaRuntime(n, tool, kind);
    base.push(us(b, n));
    over.push(us(t - b, n));
    ratio.push(t / b);
  }
  return { base: median(base), over: median(over), ratio: median(ratio) };
}

if (values.child !== undefined) {
  const [what, kind] = values.child.split(':') as ['scale', 'memory' | 'sqlite'];
  if (what === 'scale') {
    const ms = await viaRuntime(big, 'noop', kind);
    console.log(JSON.stringify({ usPerTask: us(ms, big), rssMb: process.resourceUsage().maxRSS / 1024 }));
  }
  rmSync(logDir, { recursive: true, force: true });
  process.exit(0);
}

console.log(
  `bench/overhead: ${tasks} tasks, concurrency ${concurrency}, median of ${runs} paired rounds (after one warm-up)`,
);
for (const kind of logKinds) {
  if (sections.has('noop')) {
    const r = await paired(tasks, 'noop', noop, kind);
    const target = kind === 'sqlite' ? 50 : 30;
    console.log(
      `no-op tasks   ${label(kind).padEnd(9)} p-limit ${fmt(r.base)} µs/task | troupe over p-limit ${fmt(r.over)} µs/task (target ≤ ${target}) | ratio ${r.ratio.toFixed(2)}×`,
    );
  }
  if (sections.has('sleep')) {
    const r = await paired(tasks, 'sleep', sleeper, kind);
    console.log(
      `${`${sleepMs} ms tasks`.padEnd(13)} ${label(kind).padEnd(9)} p-limit ${fmt(r.base)} µs/task | troupe over p-limit ${fmt(r.over)} µs/task | ratio ${r.ratio.toFixed(2)}× (target ≤ 1.5×)`,
    );
  }
  if (sections.has('scale') && big > 0) {
    // Each size in a fresh process, so the peak RSS is that run's alone.
    const self = fileURLToPath(import.meta.url);
    const child = (n: number) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [self, '--child', `scale:${kind}`, '--big', String(n), '--concurrency', String(concurrency)],
          {
            encoding: 'utf8',
          },
        ),
      ) as { usPerTask: number; rssMb: number };
    const small = child(tasks);
    const large = child(big);
    console.log(
      `scale         ${label(kind).padEnd(9)} ${tasks} tasks ${fmt(small.usPerTask)} µs/task | ${big} tasks ${fmt(large.usPerTask)} µs/task | ratio ${(large.usPerTask / small.usPerTask).toFixed(2)}× (target ≤ 1.2×) | peak RSS ${large.rssMb.toFixed(0)} MB${kind === 'sqlite' ? ' (target < 400)' : ''}`,
    );
  }
  if (sections.has('many') && manyRuns > 0) {
    await manyConcurrentRuns(kind);
    const samples: number[] = [];
    for (let r = 0; r < runs; r++) samples.push(us(await manyConcurrentRuns(kind), manyRuns * tasksPerRun));
    console.log(
      `many runs     ${label(kind).padEnd(9)} ${manyRuns} concurrent runs × ${tasksPerRun} tasks ${fmt(median(samples))} µs/task (target ≤ 100)`,
    );
  }
}
rmSync(logDir, { recursive: true, force: true });
