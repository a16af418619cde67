// bench/import: how long a fresh process takes to `import 'troupe'` and create a runtime on a
// memoryLog (the goal: < 150 ms), median of fresh processes; the heavy parts (openai, the MCP
// SDK, better-sqlite3, pg) load only when used, so they are not in this figure.
// Usage: npm run build && npm run bench:import [-- --runs 15]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);
const entry = new URL('../../src/index.js', import.meta.url).href;

// Timed inside the child from just before the import, so Node's own start-up is not counted.
const child = `
const wall = performance.now();
const cpu = process.cpuUsage();
const { createRuntime, memoryLog } = await import(${JSON.stringify(entry)});
const runtime = createRuntime({ log: memoryLog() });
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 }));
await runtime.close();
`;

const samples: { wallMs: number; cpuMs: number }[] = [];
for (let i = 0; i < runs; i++) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    encoding: 'utf8',
  });
  samples.push(JSON.parse(out) as { wallMs: number; cpuMs: number });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const wall = samples.map((s) => s.wallMs);
const cpu = samples.map((s) => s.cpuMs);
console.log(`import 'troupe' + createRuntime({ log: memoryLog() }), ${runs} fresh processes`);
console.log(`  wall: median ${median(wall).toFixed(0)} ms, min ${Math.min(...wall).toFixed(0)} ms`);
console.log(`  cpu:  median ${median(cpu).toFixed(0)} ms, min ${Math.min(...cpu).toFixed(0)} ms`);
