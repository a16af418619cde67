// Parallel quicksort by recursive dispatch: each agent partitions its slice around a pivot and
// dispatches two sub-agents for the halves; slices of `leaf` items or fewer (or at the depth
// limit) go to a model sub-agent that sorts them. The whole tree runs as one task of a troupe
// run recorded in `.troupe/events.db` (watch it live with `npx troupe dashboard`); the tree of
// agents is printed from that log, with the timing and the check that the output is sorted.
// Offline on a scripted model unless a real one is configured.
// Usage: npm run example:quicksort [-- --size 2000 --leaf 100 --depth 6 --log .troupe/events.db]
import { parseArgs } from 'node:util';
import {
  type Agent,
  createRuntime,
  dispatchTool,
  type EventOf,
  openaiModelFromEnv,
  scriptedModel,
  sqliteLog,
} from 'troupe';
import { z } from 'zod';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '2000' },
    leaf: { type: 'string', default: '100' },
    depth: { type: 'string', default: '6' },
    log: { type: 'string', default: '.troupe/events.db' },
  },
});
const size = Number(values.size);
const leaf = Number(values.leaf);
const maxDepth = Number(values.depth);

type Slice = { items: number[] };

// A real model when OPENAI_API_KEY / OPENAI_BASE_URL are set (or in .env); otherwise a scripted
// model that sorts the JSON array in its prompt, as the real one is asked to.
const model =
  openaiModelFromEnv() ??
  scriptedModel({
    name: 'scripted-sorter',
    process: (task) => JSON.stringify(numbersIn(task.description).sort((a, b) => a - b)),
  });

function numbersIn(text: string): number[] {
  return JSON.parse(text.slice(text.indexOf('['), text.lastIndexOf(']') + 1)) as number[];
}

function isSorted(items: readonly number[]): boolean {
  for (let i = 1; i < items.length; i++) if ((items[i - 1] as number) > (items[i] as number)) return false;
  return true;
}

function medianOfThree(items: readonly number[]): number {
  const [a, b, c] = [items[0], items[items.length >> 1], items[items.length - 1]] as [number, number, number];
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

const sortSlice: Agent<number[], Slice> = async (_prompt, ctx) => {
  const { items } = ctx.args;
  if (items.length <= 1) return items;
  if (items.length <= leaf || ctx.depth >= maxDepth) {
    const [reply] = await ctx.dispatchAgents({
      template: 'Sort these numbers ascending; answer with only a JSON array: {{items}}',
      arguments: [{ items }],
      model,
    });
    if (reply?.success !== true) throw reply?.error;
    const sorted = numbersIn(reply.output as string);
    if (sorted.length !== items.length || !isSorted(sorted)) throw new Error('the model returned an unsorted slice');
    return sorted;
  }
  const pivot = medianOfThree(items);
  const less: number[] = [];
  const equal: number[] = [];
  const greater: number[] = [];
  for (const item of items) (item < pivot ? less : item > pivot ? greater : equal).push(item);
  const halves = await ctx.dispatchAgents({
    template: 'Sort {{items}}',
    arguments: [{ items: less }, { items: greater }],
    agent: sortSlice,
    maxParallel: 2,
  });
  const failed = halves.find((h) => !h.success);
  if (failed !== undefined) throw failed.error;
  return [...(halves[0]?.output ?? []), ...equal, ...(halves[1]?.output ?? [])];
};

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % 1_000_000;
};
const input = Array.from({ length: size }, random);

const quicksortAgents = dispatchTool({
  name: 'quicksortAgents',
  description: 'Sorts numbers with a tree of quicksort agents',
  template: 'Sort {{items}}',
  argument: z.object({ items: z.array(z.number()) }),
  agent: sortSlice,
  limits: { maxDispatchDepth: maxDepth + 1, maxTotalAgents: 10_000 },
});

const log = sqliteLog(values.log);
const runtime = createRuntime({
  log,
  tools: [quicksortAgents],
  retry: { maxRetries: 0 },
  model: scriptedModel({
    plan: () => ({
      tasks: [
        {
          id: 'sort',
          description: `Sort ${size} numbers by recursive dispatch`,
          kind: 'tool_call',
          tool: 'quicksortAgents',
          input: { arguments: [{ items: input }] },
        },
      ],
    }),
    synthesize: () => `sorted ${size} numbers`,
  }),
});
const started = performance.now();
const handle = runtime.run(`Sort ${size} numbers with a swarm of quicksort agents`);
const result = await handle.result;
const elapsed = performance.now() - started;
const settled = (await log.read(handle.runId)).filter(
  (e): e is EventOf<'subagent.completed'> => e.type === 'subagent.completed',
);
const root = settled.find((r) => r.depth === 1);
await runtime.close();

// Rebuild the tree from each result's parent key; the model's leaf sorts fold into their parent.
type Agented = EventOf<'subagent.completed'>;
const children = new Map<string | undefined, Agented[]>();
for (const r of settled) children.set(r.parentKey, [...(children.get(r.parentKey) ?? []), r]);
const sizeOf = (r: Agented) => (r.args as Slice).items.length;

function print(node: Agented, indent: string): void {
  const kids = (children.get(node.idempotencyKey) ?? []).sort((a, b) => a.index - b.index);
  const byModel = kids.find((k) => typeof k.output === 'string');
  const what = byModel ? `leaf, sorted by ${model.name}` : sizeOf(node) <= 1 ? 'trivial' : 'partitioned → 2 sub-agents';
  const status = node.success ? '' : `  FAILED ${node.error?.code}`;
  console.log(
    `${indent}${String(sizeOf(node)).padStart(5)} items  depth ${node.depth}  ${node.durationMs.toFixed(1).padStart(6)} ms  ${what}${status}`,
  );
  for (const kid of kids) if (kid !== byModel) print(kid, `${indent}  `);
}

console.log(`quicksort by recursive dispatch: ${size} numbers, leaf ≤ ${leaf} items, depth ≤ ${maxDepth}`);
console.log(`run ${handle.runId} ${result.status}, recorded in ${values.log}\n`);
if (root !== undefined) print(root, '');
const output = (root?.output ?? []) as number[];
const reference = [...input].sort((a, b) => a - b);
const sorted = isSorted(output) && output.length === input.length && output.every((v, i) => v === reference[i]);
const partitions = settled.filter((r) => typeof r.output !== 'string').length;
console.log(
  `\n${settled.length} agents (${partitions} sorting agents, ${settled.length - partitions} model calls), deepest depth ${Math.max(...settled.map((r) => r.depth))}, ${elapsed.toFixed(1)} ms`,
);
console.log(`output sorted and a permutation of the input: ${sorted ? 'yes' : 'NO'}`);
process.exitCode = sorted && root?.success && result.status === 'completed' ? 0 : 1;
