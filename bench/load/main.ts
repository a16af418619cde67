// bench/load: 100 concurrent runs of 100 tasks each, with the Judge on, in one process.
// Checks that every run completes, that no task is lost or doubled (each completes exactly
// once, and each commits exactly once to its run's OCC-guarded counter), and that the heap
// after GC comes back within 10% of where it started. A script, not a timed test.
// Usage: npm run build && npm run bench:load [-- --runs 100 --tasks 100 --concurrency 16]
import { parseArgs } from 'node:util';
import { createGlobalState, createRuntime, memoryLog, scriptedModel, type TroupeEvent } from 'troupe';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    tasks: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
  },
});
const runs = Number(values.runs);
const tasks = Number(values.tasks);
const concurrency = Number(values.concurrency);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('Run with node --expose-gc (npm run bench:load does)');

/** Heap in use after GC. Turns of the event loop between collections let weakly held objects (kept alive for the rest of the job that last touched them) and finalizers go too. */
async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 5; i++) {
    gc?.();
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** One round: `runs` runs at once on one runtime; returns what it saw. */
async function round(runCount: number, taskCount: number) {
  const plan = JSON.stringify({
    tasks: Array.from({ length: taskCount }, (_, i) => ({ id: `t${i}`, description: `task ${i}`, kind: 'processing' })),
  });
  const model = scriptedModel({
    plan: () => plan,
    process: async (task, request) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return request.feedback === undefined ? `draft ${task.id}` : `better ${task.id}`;
    },
    synthesize: () => 'done',
  });
  const globalState = createGlobalState();
  const log = memoryLog();
  const runtime = createRuntime({
    model,
    log,
    concurrency,
    retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 4 },
    // Every 10th task is rejected once (and redone), every 50th goes to human review; the rest pass.
    judge: {
      score: ({ taskId, output }) => {
        const n = Number(taskId.slice(1));
        if (n % 10 === 3 && String(output).startsWith('draft')) return { score: 0.2, reasons: ['redo'] };
        if (n % 50 === 7) return 0.8;
        return 0.95;
      },
    },
    globalState,
    // Every task of a run bumps its run's counter: 100 writers on one key per run.
    commit: ({ runId }) => [
      {
        key: `done:${runId}`,
        apply: async (n: number | undefined) => {
          // Async like a real update; a turn of the event loop here instead (setImmediate) turns the
          // run into a conflict storm: ~136,000 conflicts, still every counter exactly 100.
          await Promise.resolve();
          return (n ?? 0) + 1;
        },
      },
    ],
    maxConflicts: 1_000,
  });
  let reviews = 0;
  const decided = runtime.events$.subscribe((event: TroupeEvent) => {
    if (event.type !== 'review.requested') return;
    reviews += 1;
    void runtime.reviews.approve(event.reviewId, 'load test');
  });
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const handles = Array.from({ length: runCount }, (_, i) => runtime.run(`load run ${i}`));
  const results = await Promise.all(handles.map((h) => h.result));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;

  let completedRuns = 0;
  let events = 0;
  let conflicts = 0;
  let rejections = 0;
  const problems: string[] = [];
  for (const result of results) {
    if (result.status === 'completed') completedRuns += 1;
    else problems.push(`run ${result.runId} ${result.status}: ${result.error?.message}`);
    const recorded = await log.read(result.runId);
    events += recorded.length;
    const completions = new Map<string, number>();
    for (const e of recorded) {
      if (e.type === 'task.completed') completions.set(e.taskId, (completions.get(e.taskId) ?? 0) + 1);
      else if (e.type === 'state.conflicted') conflicts += 1;
      else if (e.type === 'judge.scored' && e.verdict === 'rejected') rejections += 1;
    }
    const lost = taskCount - completions.size;
    const doubled = [...completions.values()].filter((c) => c !== 1).length;
    const counter = globalState.read<number>(`done:${result.runId}`).value;
    if (lost !== 0 || doubled !== 0 || counter !== taskCount) {
      problems.push(`run ${result.runId}: ${lost} lost, ${doubled} doubled, counter ${counter}`);
    }
  }
  decided.unsubscribe();
  await runtime.close();
  return { completedRuns, events, conflicts, rejections, reviews, elapsedMs, cpuMs, problems };
}

// Warm up (JIT, module state) so the baseline is the steady state, not a cold process.
await round(4, 10);
const startHeap = await heapAfterGc();
let peakHeap = startHeap;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 50);
const stats = await round(runs, tasks);
clearInterval(sampler);
const endHeap = await heapAfterGc();
const growth = (endHeap - startHeap) / startHeap;

const total = runs * tasks;
console.log(`bench/load: ${runs} concurrent runs × ${tasks} tasks, Judge on, concurrency ${concurrency} per run`);
console.log(`  runs completed        ${stats.completedRuns}/${runs}`);
console.log(
  `  tasks lost/doubled    ${stats.problems.length === 0 ? `0/0 (all ${total} completed once)` : 'see below'}`,
);
console.log(`  OCC counters          every run's counter = ${tasks} (${stats.conflicts} conflicts re-applied)`);
console.log(`  Judge                 ${stats.rejections} rejections redone, ${stats.reviews} reviews approved via API`);
console.log(
  `  time                  ${(stats.elapsedMs / 1000).toFixed(2)} s wall, ${(stats.cpuMs / 1000).toFixed(2)} s CPU for ${stats.events} events`,
);
console.log(`  per task              ${((stats.cpuMs * 1000) / total).toFixed(0)} µs CPU (all runs together)`);
console.log(
  `  heap after GC         start ${mb(startHeap)}, peak ${mb(peakHeap)}, end ${mb(endHeap)} (${(growth * 100).toFixed(1)}%)`,
);
for (const problem of stats.problems.slice(0, 10)) console.log(`  PROBLEM ${problem}`);
const ok = stats.completedRuns === runs && stats.problems.length === 0 && growth <= 0.1;
console.log(ok ? '  OK' : '  FAILED');
process.exitCode = ok ? 0 : 1;
