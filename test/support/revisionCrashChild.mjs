// A run whose first step asks for the plan to be revised, on a SQLite log, killed and restarted
// by test/e2e/revisionCrash.test.ts.
// Usage: node test/support/revisionCrashChild.mjs <log> <runId> <revise: hang|answer> <tool: hang|run>
// It prints `requested` and `revised` when those events are durable, `revising` when the model
// is asked for the revision (with `hang`, that answer never comes), and `done <status>`.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { createRuntime, defineTool, scriptedModel, sqliteLog } from '../../dist/src/index.js';

const [logFile, runId, reviseMode, toolMode] = process.argv.slice(2);
// A resumed handle's events$ replays the run first: only events after these are news.
let known = 0;
if (existsSync(logFile)) {
  const reader = sqliteLog(logFile, { readOnly: true });
  known = (await reader.read(runId)).at(-1)?.seq ?? 0;
  await reader.close();
}
const never = () => new Promise(() => undefined);
// A hanging promise alone would let the process exit: keep it alive until it is killed.
if (reviseMode === 'hang' || toolMode === 'hang') setInterval(() => undefined, 1_000);

const archive = defineTool({
  name: 'archive',
  description: "yesterday's trends",
  input: z.object({}),
  run: async () => {
    if (toolMode === 'hang') await never();
    return { top: '#rust' };
  },
});

const model = scriptedModel({
  plan: async (_goal, request) => {
    if (request.revision === undefined) {
      return {
        tasks: [
          { id: 'research', description: "find today's top trend", kind: 'processing' },
          { id: 'draft', description: 'write a take', kind: 'processing', dependsOn: ['research'] },
        ],
      };
    }
    process.stdout.write('revising\n');
    if (reviseMode === 'hang') await never();
    return {
      tasks: [
        { id: 'fromArchive', description: 'read the archive', kind: 'tool_call', tool: 'archive', input: {} },
        { id: 'draft', description: 'write a take on it', kind: 'processing', dependsOn: ['fromArchive'] },
      ],
    };
  },
  process: (task, request) => {
    if (task.id === 'research') {
      process.stdout.write('research\n');
      return request.mayRevisePlan ? { revisePlan: 'no trend data today' } : 'none';
    }
    return `take on ${JSON.stringify(request.inputs)}`;
  },
  synthesize: () => 'posted',
});

const runtime = createRuntime({ log: sqliteLog(logFile), model, tools: [archive] });
let handle;
try {
  handle = await runtime.resume(runId);
} catch (err) {
  if (err?.code !== 'RUN_NOT_FOUND') throw err;
  handle = runtime.run("post a take on today's top trend", { runId });
}
handle.events$.subscribe((event) => {
  if (event.seq <= known) return;
  if (event.type === 'plan.revision_requested') process.stdout.write('requested\n');
  if (event.type === 'plan.revised') process.stdout.write('revised\n');
});
const result = await handle.result;
await runtime.close();
process.stdout.write(`done ${result.status}\n`);
process.exit(0);
