// Composition: five tools chained into one (fetch → parse → extract → categorise → notify),
// checked against their zod schemas before anything runs, called by capability from a plan,
// with the chain's cost learnt from the run's events. Offline, on the scripted model.
import {
  ComposeError,
  ComposeStepError,
  compose,
  createRuntime,
  scriptedModel,
  selectTool,
  type ToolContext,
  toolEstimates,
} from 'troupe';
import { categorise, extractKeywords, fetchPage, inbox, notify, parseHtml } from './tools.js';

// A chain whose output cannot feed the next input is refused at build time, naming the fields.
try {
  compose(fetchPage, extractKeywords);
} catch (err) {
  if (!(err instanceof ComposeError)) throw err;
  console.log(`refused before running:\n  ${err.issues.join('\n  ')}`);
}

const triage = compose(
  { name: 'triage', description: 'Reads a page and tells the right team', capabilities: ['triage'] },
  fetchPage,
  parseHtml,
  extractKeywords,
  categorise,
  notify,
);
console.log(`\n${triage.name}: ${triage.description}`);
console.log(`chosen for capability \`triage\`: ${selectTool([triage, notify], { capability: 'triage' }).name}`);

// Errors say which step failed.
const context: ToolContext = {
  signal: new AbortController().signal,
  idempotencyKey: 'demo',
  runId: 'demo',
  taskId: 'demo',
};
await triage.call({ url: 'https://news.example/gossip/1' }, context).catch((err: unknown) => {
  if (!(err instanceof ComposeStepError)) throw err;
  console.log(`step ${err.step} (${err.tool}) failed: ${err.code}`);
});

// A run whose plan names the capability, not the tool: the Planner resolves it when parsing.
const urls = Array.from(
  { length: 24 },
  (_, i) => `https://news.example/${['incident', 'release', 'business'][i % 3]}/${i}`,
);
const plan = JSON.stringify({
  tasks: urls.map((url, i) => ({
    id: `page${i}`,
    description: `triage ${url}`,
    kind: 'tool_call',
    capability: 'triage',
    input: { url },
  })),
});
const runtime = createRuntime({
  model: scriptedModel({ plan: () => plan }),
  tools: [triage],
  concurrency: 4,
  circuitBreaker: { tools: { failureThreshold: 5 } },
});
const estimates = toolEstimates({ tools: [triage] });
estimates.observeEvents(runtime.events$);
const predictedBefore = estimates.costUsd(triage);

const result = await runtime.run('Triage the latest pages').result;
console.log(`\nrun ${result.status}: ${result.tasks.length} pages triaged`);
const byChannel = new Map<string, number>();
for (const sent of inbox) byChannel.set(sent.channel, (byChannel.get(sent.channel) ?? 0) + 1);
console.log(`notified: ${[...byChannel].map(([channel, n]) => `${channel} ${n}`).join(', ')}`);

// The chain's cost, as declared and as learnt from what the runs reported.
const observed = result.tasks.map((t) => (t.output as { costUsd: number }).costUsd);
const mean = observed.reduce((a, b) => a + b, 0) / observed.length;
const predicted = estimates.costUsd(triage);
const error = Math.abs(predicted - mean) / mean;
console.log(
  `\ncost per call: declared $${predictedBefore.toFixed(5)}, observed mean $${mean.toFixed(5)}, predicted now $${predicted.toFixed(5)} (error ${(error * 100).toFixed(1)}% over ${estimates.observations(triage)} calls)`,
);

// Intermediate results are cached per input: the same page again calls no tool.
const before = inbox.length;
await triage.call({ url: urls[0] as string }, context);
console.log(`same page again: ${inbox.length - before} new notifications (cached)`);

await runtime.close();
process.exitCode = result.status === 'completed' && error < 0.1 ? 0 : 1;
