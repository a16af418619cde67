// One worker process of bench/scaleout: opens the shared log, says `ready`, starts working when
// its parent writes `go`, prints one line per finished run, and on SIGTERM stops and prints the
// CPU time it used (ms) as `cpu <ms>`.
//   node dist/bench/scaleout/workerProcess.js <database-url> <maxRuns> <tasksPerRun>
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { postgresLog } from '../../src/log/postgres/postgresLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';

const [url = '', maxRuns = '8', tasksPerRun = '5'] = process.argv.slice(2);
const step = defineTool({
  name: 'step',
  description: 'Returns its input',
  input: z.object({ n: z.number().int() }),
  run: async ({ n }) => ({ n }),
});
const log = postgresLog(url, { onNotice: () => undefined });
const runtime = createRuntime({
  log,
  tools: [step],
  model: scriptedModel({
    plan: () => ({
      tasks: Array.from({ length: Number(tasksPerRun) }, (_, n) => ({
        id: `t${n}`,
        description: `step ${n}`,
        kind: 'tool_call' as const,
        tool: 'step',
        input: { n },
      })),
    }),
    synthesize: () => 'done',
  }),
});
await log.ready();
const started = process.cpuUsage();
process.stdout.write('ready\n');

const lines = createInterface({ input: process.stdin });
lines.once('line', () => {
  const worker = runtime.work({
    maxRuns: Number(maxRuns),
    pollMs: 20,
    onRun: ({ outcome }) => process.stdout.write(`${outcome}\n`),
  });
  process.once('SIGTERM', () => {
    void worker
      .stop()
      .then(() => runtime.close())
      .then(() => {
        const used = process.cpuUsage(started);
        process.stdout.write(`cpu ${((used.user + used.system) / 1000).toFixed(0)}\n`);
        process.exit(0);
      });
  });
});
