// bench/monitor: what the Monitor actor costs a run, measured in one process. The baseline is the
// same runtime on a log whose live stream the Monitor cannot see (it then folds nothing).
// Usage: npm run build && npm run bench:monitor [-- --tasks 10000 --concurrency 100 --runs 5]
import { parseArgs } from 'node:util';
import { NEVER } from 'rxjs';
import {
  createRuntime,
  defineTool,
  type EventLog,
  MetricsRecorder,
  memoryLog,
  scriptedModel,
  type TroupeEvent,
} from 'troupe';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '5' },
  },
});
const tasks = Number(values.tasks);
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);

const input = z.object({ i: z.number() });
const noopTool = defineTool({ name: 'noop', description: 'does nothing', input, run: ({ i }) => i });
const sleepTool = defineTool({
  name: 'sleep',
  description: 'waits 5 ms',
  input,
  run: () => new Promise<void>((resolve) => setTimeout(resolve, 5)),
});
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

/** A memory log whose "from now on" stream (the one the Monitor takes) never emits. */
function unwatchedLog(): EventLog {
  const log = memoryLog();
  return { ...log, subscribe: (fromSeq?: number) => (fromSeq === undefined ? NEVER : log.subscribe(fromSeq)) };
}

let recorded: readonly TroupeEvent[] = [];

async function once(tool: string, log: EventLog): Promise<{ ms: number; folded: number }> {
  const text = plan(tool);
  const runtime = createRuntime({
    log,
    model: scriptedModel({ plan: () => text, synthesize: () => 'done' }),
    tools: [noopTool, sleepTool],
    concurrency,
    maxTasks: tasks,
  });
  const started = performance.now();
  const result = await runtime.run(`run ${tasks} ${tool} tasks`).result;
  const ms = performance.now() - started;
  if (result.status !== 'completed') throw new Error(`run ${result.status}: ${result.error?.message}`);
  const folded = runtime.metrics().events.total;
  recorded = await log.read(result.runId);
  await runtime.close();
  return { ms, folded };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(
  `bench/monitor: ${tasks} tasks, concurrency ${concurrency}, median of ${runs} runs (after one warm-up each)`,
);
for (const tool of ['noop', 'sleep']) {
  await once(tool, unwatchedLog());
  await once(tool, memoryLog());
  const off: number[] = [];
  const on: number[] = [];
  let folded = 0;
  // Alternate the variants so drift on a shared machine hits both alike.
  for (let r = 0; r < runs; r++) {
    off.push((await once(tool, unwatchedLog())).ms);
    const watched = await once(tool, memoryLog());
    on.push(watched.ms);
    folded = watched.folded;
  }
  const a = median(off);
  const b = median(on);
  const label = tool === 'noop' ? 'no-op tasks' : '5 ms tasks';
  console.log(
    `${label.padEnd(12)} without Monitor ${((a * 1000) / tasks).toFixed(1).padStart(7)} µs/task | with Monitor ${((b * 1000) / tasks).toFixed(1).padStart(7)} µs/task (${folded} events folded) | overhead ${(((b - a) / a) * 100).toFixed(1)}%`,
  );
}

// The fold alone, on the events of the last run: steadier than the difference of two whole runs
// on a busy machine.
const foldRuns: number[] = [];
for (let r = 0; r < runs + 1; r++) {
  const recorder = new MetricsRecorder({ concurrency });
  const started = performance.now();
  for (const event of recorded) recorder.fold(event);
  recorder.snapshot();
  foldRuns.push(performance.now() - started);
}
const fold = median(foldRuns.slice(1));
console.log(
  `fold alone   ${((fold * 1000) / tasks).toFixed(2)} µs/task (${recorded.length} events, ${((fold * 1e6) / recorded.length).toFixed(0)} ns/event)`,
);
