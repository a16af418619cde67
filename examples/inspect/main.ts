// The Stately inspector on a troupe run: `createRuntime({ inspect })` hands XState's inspection
// to every actor, so the Planner, the executor, each task's statechart and the Monitor show up.
//   npm run example:inspect                    offline: a programmatic inspector (no browser)
//   TROUPE_INSPECT=live npm run example:inspect  opens the Stately inspector in a browser
import { createInspector, createWebSocketInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createRuntime, defineTool, scriptedModel } from 'troupe';
import { z } from 'zod';

const live = process.env.TROUPE_INSPECT === 'live' && process.env.CI === undefined;

/** Per actor: its machine, how many snapshots it sent, and the last state it reached. */
const actors = new Map<string, { machine: string; snapshots: number; last: unknown }>();
function record(event: StatelyInspectionEvent): void {
  if (event.type === '@xstate.actor') {
    const machine = event.definition === undefined ? event.name : (JSON.parse(event.definition) as { id: string }).id;
    actors.set(event.sessionId, { machine, snapshots: 0, last: event.snapshot.value });
  } else if (event.type === '@xstate.snapshot') {
    const actor = actors.get(event.sessionId);
    if (actor !== undefined) {
      actor.snapshots += 1;
      actor.last = (event.snapshot as { value?: unknown }).value;
    }
  }
}

let stopServer: () => void = () => undefined;
const inspector = live
  ? await (async () => {
      // @statelyai/inspect's local bridge: a WebSocket server that opens https://stately.ai/inspect.
      const { createInspectorServer } = await import('@statelyai/inspect/server');
      stopServer = createInspectorServer({ port: 8080 }).stop;
      return createWebSocketInspector({ url: 'ws://localhost:8080' });
    })()
  : createInspector({ send: record });

const lookup = defineTool({
  name: 'lookup',
  description: 'looks a word up',
  input: z.object({ word: z.string() }),
  run: ({ word }) => `${word}: a small example`,
});
const runtime = createRuntime({
  tools: [lookup],
  model: scriptedModel({
    plan: () => ({
      tasks: [
        { id: 'define', description: 'Look up "actor"', kind: 'tool_call', tool: 'lookup', input: { word: 'actor' } },
        { id: 'explain', description: 'Explain it simply', kind: 'processing', dependsOn: ['define'] },
      ],
    }),
  }),
  inspect: inspector.inspect,
});

const result = await runtime.run('explain what an actor is').result;
await runtime.close();
console.log(`run ${result.status}`);

if (live) {
  console.log('Inspector open on https://stately.ai/inspect — Ctrl-C to stop.');
  process.once('SIGINT', () => {
    inspector.stop();
    stopServer();
  });
} else {
  // The inspector converts events when the event loop is idle: let it catch up.
  await new Promise<void>((resolve) => setTimeout(resolve, 50));
  inspector.stop();
  const byMachine = new Map<string, { count: number; snapshots: number; last: Set<string> }>();
  for (const actor of actors.values()) {
    const row = byMachine.get(actor.machine) ?? { count: 0, snapshots: 0, last: new Set<string>() };
    row.count += 1;
    row.snapshots += actor.snapshots;
    row.last.add(JSON.stringify(actor.last ?? null));
    byMachine.set(actor.machine, row);
  }
  console.log('actor                count  snapshots  last state');
  for (const [machine, row] of byMachine) {
    console.log(
      `${machine.padEnd(20)} ${String(row.count).padStart(5)}  ${String(row.snapshots).padStart(9)}  ${[...row.last].join(' ')}`,
    );
  }
  const seen = new Set(byMachine.keys());
  const expected = ['planner', 'executor', 'task', 'monitor'];
  const missing = expected.filter((m) => !seen.has(m));
  if (missing.length > 0) console.log(`missing: ${missing.join(', ')}`);
  process.exitCode = result.status === 'completed' && missing.length === 0 ? 0 : 1;
}
