// bench/tracing: what OpenTelemetry tracing costs per task, with no SDK registered (troupe's
// promise: nothing) and with an SDK whose exporter drops every span (the cost of making spans).
// Usage: npm run build && npm run bench:tracing [-- --tasks 2000 --runs 5]
import { parseArgs } from 'node:util';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { createRuntime, defineTool, memoryLog, scriptedModel } from 'troupe';
import { z } from 'zod';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '2000' }, runs: { type: 'string', default: '5' } },
});
const tasks = Number(values.tasks);
const runs = Number(values.runs);

const tool = defineTool({
  name: 'noop',
  description: 'does nothing',
  input: z.object({ i: z.number() }),
  run: ({ i }) => i,
});
const plan = JSON.stringify({
  tasks: Array.from({ length: tasks }, (_, i) => ({
    id: `t${i}`,
    description: 'task',
    kind: 'tool_call',
    tool: 'noop',
    input: { i },
  })),
});

let exported = 0;
/** Counts spans and drops them, so the figure is troupe's and the SDK's, not an exporter's. */
const dropping: SpanExporter = {
  export(batch: ReadableSpan[], done) {
    exported += batch.length;
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};

async function once(): Promise<number> {
  const runtime = createRuntime({
    log: memoryLog(),
    model: scriptedModel({ plan: () => plan, synthesize: () => 'done' }),
    tools: [tool],
    concurrency: 100,
    maxTasks: tasks,
  });
  const started = performance.now();
  const result = await runtime.run(`run ${tasks} no-op tasks`).result;
  const elapsed = performance.now() - started;
  await runtime.close();
  if (result.status !== 'completed') throw new Error(`the run ended ${result.status}`);
  return (elapsed * 1000) / tasks;
}

async function median(label: string): Promise<number> {
  await once();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  const m = samples[Math.floor(samples.length / 2)] as number;
  console.log(`${label.padEnd(34)} ${m.toFixed(1).padStart(7)} µs/task (median of ${runs}, ${tasks} tasks)`);
  return m;
}

const off = await median('no SDK registered');
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropping)] });
trace.setGlobalTracerProvider(provider);
const on = await median('SDK, spans dropped at export');
await provider.shutdown();
console.log(
  `spans exported per task: ${(exported / ((runs + 1) * tasks)).toFixed(2)}; tracing adds ${(on - off).toFixed(1)} µs/task`,
);
