// bench/redaction: what secret/PII redaction and the injection screen cost, beside the same work without them.
// Usage: npm run build && npm run bench:redaction [-- --tasks 10000 --concurrency 100 --runs 5]
import { parseArgs } from 'node:util';
import {
  createRedactor,
  createRuntime,
  defineTool,
  detectInjection,
  eventRedactor,
  type RuntimeOptions,
  scriptedModel,
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

const noopTool = defineTool({
  name: 'noop',
  description: 'returns a small record',
  input: z.object({ i: z.number() }),
  run: ({ i }) => ({ id: i, title: `result ${i}`, url: `https://example.com/items/${i}` }),
});
const plan = JSON.stringify({
  tasks: Array.from({ length: tasks }, (_, i) => ({
    id: `t${i}`,
    description: 'fetch one item',
    kind: 'tool_call',
    tool: 'noop',
    input: { i },
  })),
});

async function run(options: Partial<RuntimeOptions>): Promise<number> {
  const runtime = createRuntime({
    model: scriptedModel({ plan: () => plan, synthesize: () => 'done' }),
    tools: [noopTool],
    concurrency,
    maxTasks: tasks,
    ...options,
  });
  const started = performance.now();
  const result = await runtime.run(`fetch ${tasks} items`).result;
  const elapsed = performance.now() - started;
  if (result.status !== 'completed') throw new Error(`run ${result.status}: ${result.error?.message}`);
  await runtime.close();
  return elapsed;
}

function median(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
}

// Alternate the two settings so drift on a shared machine hits both alike.
async function compare(): Promise<[number, number]> {
  await run({ redaction: { enabled: false } });
  await run({});
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < runs; r++) {
    off.push(await run({ redaction: { enabled: false } }));
    on.push(await run({}));
  }
  return [median(off), median(on)];
}

function perCall(fn: () => unknown, n: number): number {
  for (let i = 0; i < 1_000; i++) fn();
  const started = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - started) * 1000) / n;
}

const perTask = (ms: number) => ((ms * 1000) / tasks).toFixed(1);
console.log(
  `bench/redaction: ${tasks} tool tasks, concurrency ${concurrency}, median of ${runs} runs (after one warm-up)`,
);
const [off, on] = await compare();
console.log(
  `whole run   redaction off ${perTask(off).padStart(6)} µs/task | on (default) ${perTask(on).padStart(6)} µs/task | ratio ${(on / off).toFixed(2)}×`,
);

const redactor = createRedactor();
const redact = eventRedactor(redactor);
const clean = {
  type: 'task.completed',
  taskId: 't1',
  output: { id: 1, title: 'result 1', url: 'https://example.com/items/1' },
  durationMs: 1,
};
const dirty = { ...clean, output: { note: 'key sk-proj-abcdefghijklmnopqrstuvwx, mail ada@example.com' } };
const prose = 'Summarise the quarterly report and post the highlights to the team channel by Friday. '.repeat(4);
console.log(
  `per event   clean task.completed ${perCall(() => redact(clean), 200_000).toFixed(2)} µs | with a key and an email ${perCall(() => redact(dirty), 50_000).toFixed(2)} µs`,
);
console.log(
  `per text    redactor on ${prose.length} chars of prose ${perCall(() => redactor.text(prose), 50_000).toFixed(2)} µs | injection screen ${perCall(() => detectInjection(prose), 20_000).toFixed(2)} µs`,
);
