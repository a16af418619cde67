// bench/import/breakdown: where the time of `import 'troupe'` + createRuntime goes, step by step
// in one fresh process per sample: each dependency as troupe loads it, then troupe's own modules
// (and the schemas they build), then createRuntime. Minimum and median over the samples.
// Usage: npm run build && npm run bench:import:breakdown [-- --runs 9]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`Expected \`--runs\` to be an integer ≥ 1, got \`${values.runs}\``);
const rx = new URL('../../src/util/rx.js', import.meta.url).href;

const child = `
const steps = [];
let wall = performance.now();
let cpu = process.cpuUsage();
const step = (label) => {
  const nowWall = performance.now();
  const nowCpu = process.cpuUsage();
  steps.push({ label, wallMs: nowWall - wall, cpuMs: (nowCpu.user + nowCpu.system - cpu.user - cpu.system) / 1000 });
  wall = nowWall;
  cpu = nowCpu;
};
await import('zod'); step('zod (all of it, locales included)');
await import('xstate'); step('xstate');
await import(${JSON.stringify(rx)}); step('rxjs: the files src/util/rx.ts reads');
await import('lru-cache'); await import('@xstate/store'); step('lru-cache, @xstate/store');
const troupe = await import('troupe'); step("troupe's own modules and schemas");
troupe.createRuntime({ log: troupe.memoryLog() }); step('createRuntime({ log: memoryLog() })');
console.log(JSON.stringify(steps));
`;

type Step = { label: string; wallMs: number; cpuMs: number };
const samples: Step[][] = [];
for (let i = 0; i < runs; i++) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    encoding: 'utf8',
  });
  samples.push(JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as Step[]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const fmt = (xs: number[]) =>
  `min ${Math.min(...xs)
    .toFixed(0)
    .padStart(4)}  median ${median(xs).toFixed(0).padStart(4)} ms`;
console.log(`import 'troupe' + createRuntime, step by step: ${runs} fresh processes (wall | cpu)`);
const labels = samples[0]?.map((s) => s.label) ?? [];
labels.forEach((label, i) => {
  const at = samples.map((s) => s[i] as Step);
  console.log(`  ${label.padEnd(40)} ${fmt(at.map((s) => s.wallMs))} | ${fmt(at.map((s) => s.cpuMs))}`);
});
const totals = samples.map((s) => s.reduce((sum, x) => sum + x.wallMs, 0));
console.log(`  ${'total'.padEnd(40)} ${fmt(totals)}`);
