// bench/import: how long a fresh process takes to `import 'troupe'` and create a runtime on a
// memoryLog (issue 17's goal: < 150 ms), then how long its first run takes, so that work moved
// from import to first use still shows. Each sample is a new process (nothing cached), timed
// inside it from just before the import, so Node's own start-up is not counted. Samples alternate
// with a baseline process that imports only zod and xstate (what any troupe program loads anyway):
// when the machine is busy, the baseline rises too.
// Usage: npm run build && npm run bench:import [-- --runs 15]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`Expected \`--runs\` to be an integer ≥ 1, got \`${values.runs}\``);
const goalMs = 150;

// The steps of the README's usage, resolved by package name as a user's program resolves them.
const troupeChild = `
const wall = performance.now();
const cpu = process.cpuUsage();
const { createRuntime, defineTool, memoryLog, scriptedModel } = await import('troupe');
const { z } = await import('zod');
const echo = defineTool({
  name: 'echo',
  description: 'Returns its text',
  input: z.object({ text: z.string() }),
  output: z.object({ text: z.string() }),
  run: async ({ text }) => ({ text }),
});
const runtime = createRuntime({
  log: memoryLog(),
  tools: [echo],
  model: scriptedModel({
    plan: () => ({ tasks: [{ id: 'say', description: 'say hi', kind: 'tool_call', tool: 'echo', input: { text: 'hi' } }] }),
  }),
});
const ready = performance.now();
const used = process.cpuUsage(cpu);
const result = await runtime.run('say hi').result;
if (result.status !== 'completed') throw new Error('the run ended ' + result.status);
const ran = performance.now();
await runtime.close();
console.log(JSON.stringify({ wallMs: ready - wall, cpuMs: (used.user + used.system) / 1000, runMs: ran - ready }));
`;
const baselineChild = `
const wall = performance.now();
const cpu = process.cpuUsage();
await import('zod');
await import('xstate');
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000, runMs: 0 }));
`;

interface Sample {
  wallMs: number;
  cpuMs: number;
  runMs: number;
}

function sample(code: string): Sample {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as Sample;
}

const troupe: Sample[] = [];
const baseline: Sample[] = [];
for (let i = 0; i < runs; i++) {
  troupe.push(sample(troupeChild));
  baseline.push(sample(baselineChild));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const row = (label: string, xs: number[]) =>
  `  ${label.padEnd(34)} min ${Math.min(...xs)
    .toFixed(0)
    .padStart(4)} ms   median ${median(xs).toFixed(0).padStart(4)} ms`;
const wall = troupe.map((s) => s.wallMs);
console.log(`import 'troupe' + createRuntime({ log: memoryLog(), model, tools }): ${runs} fresh processes each`);
console.log(row("import 'troupe' + createRuntime, wall", wall));
console.log(
  row(
    "import 'troupe' + createRuntime, cpu",
    troupe.map((s) => s.cpuMs),
  ),
);
console.log(
  row(
    'then its first run (one tool task)',
    troupe.map((s) => s.runMs),
  ),
);
console.log(
  row(
    'baseline: import zod + xstate, wall',
    baseline.map((s) => s.wallMs),
  ),
);
console.log(
  row(
    'baseline: import zod + xstate, cpu',
    baseline.map((s) => s.cpuMs),
  ),
);
console.log(
  `  troupe's own share (median wall minus baseline median): ${(median(wall) - median(baseline.map((s) => s.wallMs))).toFixed(0)} ms`,
);
console.log(
  `  goal: < ${goalMs} ms wall (median): ${median(wall) < goalMs ? 'met' : 'not met'}; a busy machine raises both rows`,
);
