// bench/dispatch: the same fan-out through dispatchAgents, bare p-limit and LangGraph.js's Send
// API, for 1,000 and 10,000 agents, no-op and 5 ms agents, at maxParallel 100. Prints µs/agent
// and ratios measured in the same process. Plain JavaScript with its own dependencies, so the
// library and its type-check never depend on LangGraph.
// Usage: npm run build && npm run bench:dispatch [-- --runs 5 --warmups 3 --langgraph-runs 3 --sizes 1000,10000]
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { Annotation, END, Send, START, StateGraph } from '@langchain/langgraph';
import pLimit from 'p-limit';
import { dispatchAgents } from '../../dist/src/index.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string', default: '1000,10000' },
    parallel: { type: 'string', default: '100' },
    'sleep-ms': { type: 'string', default: '5' },
    'langgraph-runs': { type: 'string', default: '3' },
    warmups: { type: 'string', default: '3' },
  },
});
const runs = Number(values.runs);
const sizes = values.sizes.split(',').map(Number);
const parallel = Number(values.parallel);
const sleepMs = Number(values['sleep-ms']);
const graphRuns = Number(values['langgraph-runs']);
const warmups = Number(values.warmups);

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

const medianOf = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

// p-limit and troupe are measured in alternation, so drift in a shared machine's load hits both alike.
async function paired(first, second, rounds) {
  for (let w = 0; w < warmups; w++) {
    await first();
    await second();
  }
  const a = [];
  const b = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await first());
    b.push(await second());
  }
  return [medianOf(a), medianOf(b)];
}

async function median(measure, rounds) {
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    samples.push(await measure());
  }
  return medianOf(samples);
}

// LangGraph adds an abort listener per concurrent Send to one signal; its warning is noise here.
setMaxListeners(0);

const per = (ms, n) => ((ms * 1000) / n).toFixed(1).padStart(7);
console.log(
  `bench/dispatch: maxParallel ${parallel}; p-limit and troupe alternated, medians of ${runs} after ${warmups} warm-ups; LangGraph medians of ${graphRuns} (Node ${process.version})`,
);
console.log(
  'agents  work    | p-limit µs/agent | troupe µs/agent | LangGraph µs/agent | troupe/p-limit | LangGraph/troupe',
);
for (const n of sizes) {
  for (const [label, work] of works) {
    const [base, troupe] = await paired(
      () => viaPLimit(n, work),
      () => viaTroupe(n, work),
      runs,
    );
    const graph = graphRuns === 0 ? Number.NaN : await median(() => viaLangGraph(n, work), graphRuns);
    console.log(
      `${String(n).padStart(6)}  ${label.padEnd(6)}  | ${per(base, n)}          | ${per(troupe, n)}         | ${per(graph, n)}            | ${(troupe / base).toFixed(2).padStart(6)}×        | ${(graph / troupe).toFixed(1).padStart(6)}×`,
    );
  }
}
