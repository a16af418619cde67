// bench/toolcalls: what one tool call costs made by a processing step (native tool calling,
// turns of `--per-turn` calls at once) beside the same calls made as `tool_call` tasks (at that
// concurrency), in one process, on the same log kind. The fixed cost of a run (plan, synthesis)
// is measured with a run that makes no call and taken off both.
// Usage: npm run build && npm run bench:toolcalls [-- --calls 1000 --per-turn 10 --runs 5 --log memory|sqlite]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRuntime, defineTool, type EventLog, memoryLog, scriptedModel, sqliteLog } from 'troupe';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    'per-turn': { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    log: { type: 'string', default: 'memory' },
  },
});
const calls = Number(values.calls);
const perTurn = Number(values['per-turn']);
const runs = Number(values.runs);
const logDir = values.log === 'sqlite' ? mkdtempSync(join(tmpdir(), 'troupe-bench-toolcalls-')) : undefined;
let logFiles = 0;
const makeLog = (): EventLog => (logDir === undefined ? memoryLog() : sqliteLog(join(logDir, `run-${logFiles++}.db`)));
const logLabel = logDir === undefined ? 'memoryLog' : 'sqliteLog';

const noop = defineTool({
  name: 'noop',
  description: 'does nothing',
  input: z.object({ i: z.number() }),
  run: ({ i }) => i,
});

const taskPlan = JSON.stringify({
  tasks: Array.from({ length: calls }, (_, i) => ({
    id: `t${i}`,
    description: 'call',
    kind: 'tool_call',
    tool: 'noop',
    input: { i },
  })),
});
const stepPlan = JSON.stringify({ tasks: [{ id: 'step', description: 'call noop', kind: 'processing' }] });

/** A step that asks for `total` calls, `perTurn` at a time, then answers. */
const stepModel = (total: number) =>
  scriptedModel({
    plan: () => stepPlan,
    process: (_task, request) => {
      const made = (request.turns?.length ?? 0) * perTurn;
      if (made >= total) return 'done';
      const n = Math.min(perTurn, total - made);
      return { toolCalls: Array.from({ length: n }, (_, k) => ({ name: 'noop', arguments: { i: made + k } })) };
    },
    synthesize: () => 'done',
  });

async function timed(options: Parameters<typeof createRuntime>[0]): Promise<number> {
  const runtime = createRuntime({ log: makeLog(), tools: [noop], maxTasks: calls, maxToolCalls: calls, ...options });
  const started = performance.now();
  const result = await runtime.run('bench').result;
  const elapsed = performance.now() - started;
  if (result.status !== 'completed') throw new Error(`run ${result.status}: ${result.error?.message}`);
  await runtime.close();
  return elapsed;
}

const ways = {
  empty: () => timed({ model: stepModel(0) }),
  tasks: () =>
    timed({ model: scriptedModel({ plan: () => taskPlan, synthesize: () => 'done' }), concurrency: perTurn }),
  step: () => timed({ model: stepModel(calls) }),
};

async function median(measure: () => Promise<number>): Promise<number> {
  await measure();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) samples.push(await measure());
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

console.log(
  `bench/toolcalls: ${calls} calls of a no-op tool, ${perTurn} at once, ${logLabel}, median of ${runs} runs (after one warm-up)`,
);
const empty = await median(ways.empty);
const tasks = await median(ways.tasks);
const step = await median(ways.step);
const perCall = (ms: number) => (((ms - empty) * 1000) / calls).toFixed(1);
console.log(`a run that makes no call          ${empty.toFixed(1).padStart(8)} ms (taken off both)`);
console.log(`${calls} tool_call tasks             ${perCall(tasks).padStart(8)} µs/call`);
console.log(
  `${calls} calls in one processing step ${perCall(step).padStart(8)} µs/call (${Math.ceil(calls / perTurn)} model turns included)`,
);
console.log(`ratio step/tasks                  ${((step - empty) / (tasks - empty)).toFixed(2)}×`);
if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
