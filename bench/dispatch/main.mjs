// bench/dispatch: the same fan-out through dispatchAgents, bare p-limit and LangGraph.js's Send
// API, for 1,000 and 10,000 agents, no-op and 5 ms agents, at maxParallel 100. Prints µs/agent
// and ratios measured in the same process. Plain JavaScript with its own dependencies, so the
// library and its type-check never depend on LangGraph.
// Usage: npm run build && npm run bench:dispatch [-- --runs 3 --sizes 1000,10000 --parallel 100]
import { parseArgs } from 'node:util';
import { Annotation, END, Send, START, StateGraph } from '@langchain/langgraph';
import pLimit from 'p-limit';
import { dispatchAgents } from '../../dist/src/index.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '1000,10000' },
    parallel: { type: 'string', default: '100' },
    'sleep-ms': { type: 'string', default: '5' },
    'skip-langgraph': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const sizes = values.sizes.split(',').map(Number);
const parallel = Number(values.parallel);
const sleepMs = Number(values['sleep-ms']);

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const works = [
  ['no-op', (i) => Promise.resolve(i)],
  [`${sleepMs} ms`, (i) => pause(sleepMs).then(() => i)],
];

async function viaPLimit(n, work) {
  const limit = pLimit(parallel);
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => limit(() => work(i))));
  return performance.now() - started;
}

async function viaTroupe(n, work) {
  const args = Array.from({ length: n }, (_, i) => ({ i }));
  const started = performance.now();
  const results = await dispatchAgents({
    template: 'task {{i}}',
    arguments: args,
    agent: (_prompt, ctx) => work(ctx.args.i),
    maxParallel: parallel,
    limits: { maxTotalAgents: n },
  });
  const elapsed = performance.now() - started;
  if (results.length !== n || !results.every((r) => r.success)) throw new Error('dispatchAgents lost results');
  return elapsed;
}

const State = Annotation.Root({
  items: Annotation({ reducer: (_old, next) => next, default: () => [] }),
  done: Annotation({ reducer: (a, b) => a + b, default: () => 0 }),
});

function langGraph(work) {
  return new StateGraph(State)
    .addNode('worker', async (state) => {
      await work(state.i);
      return { done: 1 };
    })
    .addConditionalEdges(START, (state) => state.items.map((i) => new Send('worker', { i })))
    .addEdge('worker', END)
    .compile();
}

async function viaLangGraph(n, work) {
  const graph = langGraph(work);
  const items = Array.from({ length: n }, (_, i) => i);
  const started = performance.now();
  const out = await graph.invoke({ items }, { maxConcurrency: parallel, recursionLimit: 100 });
  const elapsed = performance.now() - started;
  if (out.done !== n) throw new Error(`LangGraph ran ${out.done} of ${n} workers`);
  return elapsed;
}

async function median(measure) {
  await measure();
  const samples = [];
  for (let r = 0; r < runs; r++) {
    globalThis.gc?.();
    samples.push(await measure());
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const per = (ms, n) => ((ms * 1000) / n).toFixed(1).padStart(7);
console.log(
  `bench/dispatch: maxParallel ${parallel}, median of ${runs} runs after one warm-up (Node ${process.version})`,
);
console.log(
  'agents  work    | p-limit µs/agent | troupe µs/agent | LangGraph µs/agent | troupe/p-limit | LangGraph/troupe',
);
for (const n of sizes) {
  for (const [label, work] of works) {
    const base = await median(() => viaPLimit(n, work));
    const troupe = await median(() => viaTroupe(n, work));
    const graph = values['skip-langgraph'] ? Number.NaN : await median(() => viaLangGraph(n, work));
    console.log(
      `${String(n).padStart(6)}  ${label.padEnd(6)}  | ${per(base, n)}          | ${per(troupe, n)}         | ${per(graph, n)}            | ${(troupe / base).toFixed(2).padStart(6)}×        | ${(graph / troupe).toFixed(1).padStart(6)}×`,
    );
  }
}
