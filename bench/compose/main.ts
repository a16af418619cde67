// bench/compose: what a 5-step compose() chain costs over calling the five functions directly,
// measured in the same process. Usage: npm run build && npm run bench:compose [-- --chains 20000 --runs 5]
import { parseArgs } from 'node:util';
import { compose, defineTool, type Tool, type ToolContext } from 'troupe';
import { z } from 'zod';

const { values } = parseArgs({
  options: { chains: { type: 'string', default: '20000' }, runs: { type: 'string', default: '5' } },
});
const chains = Number(values.chains);
const runs = Number(values.runs);

// The five steps as plain functions: fetch → parse → extract → categorise → notify.
const fetchFn = async ({ url }: { url: string }) => ({
  url,
  status: 200,
  html: `<title>Outage</title><p>db down ${url}</p>`,
});
const parseFn = async ({ html }: { html: string }) => ({ title: 'Outage', text: html.slice(15) });
const extractFn = async ({ text }: { title: string; text: string }) => ({ keywords: text.split(' ') });
const categoriseFn = async ({ keywords }: { keywords: string[] }) => ({
  category: keywords.includes('down') ? 'incident' : 'other',
});
const notifyFn = async ({ category }: { url: string; title: string; category: string }) => ({
  channel: category === 'incident' ? 'pager' : 'email',
  delivered: true,
});

async function direct(url: string): Promise<unknown> {
  const fetched = await fetchFn({ url });
  const parsed = await parseFn({ html: fetched.html });
  const extracted = await extractFn(parsed);
  const categorised = await categoriseFn(extracted);
  return notifyFn({ url, title: parsed.title, category: categorised.category });
}

const tools = [
  defineTool({
    name: 'fetchPage',
    description: 'fetch',
    input: z.object({ url: z.string() }),
    output: z.object({ url: z.string(), status: z.number(), html: z.string() }),
    run: fetchFn,
  }),
  defineTool({
    name: 'parseHtml',
    description: 'parse',
    input: z.object({ html: z.string() }),
    output: z.object({ title: z.string(), text: z.string() }),
    run: parseFn,
  }),
  defineTool({
    name: 'extract',
    description: 'extract',
    input: z.object({ title: z.string(), text: z.string() }),
    output: z.object({ keywords: z.array(z.string()) }),
    run: extractFn,
  }),
  defineTool({
    name: 'categorise',
    description: 'categorise',
    input: z.object({ keywords: z.array(z.string()) }),
    output: z.object({ category: z.string() }),
    run: categoriseFn,
  }),
  defineTool({
    name: 'notify',
    description: 'notify',
    input: z.object({ url: z.string(), title: z.string(), category: z.string() }),
    output: z.object({ channel: z.string(), delivered: z.boolean() }),
    run: notifyFn,
  }),
] as const;
const [fetchTool, parseTool, extractTool, categoriseTool, notifyTool] = tools as unknown as Tool[];
const context: ToolContext = {
  signal: new AbortController().signal,
  idempotencyKey: 'bench',
  runId: 'bench',
  taskId: 'bench',
};

/** The five tools called by hand: the same zod validation as compose, without its wiring or cache. */
async function validatedByHand(url: string): Promise<unknown> {
  const fetched = (await fetchTool?.call({ url }, context)) as { html: string };
  const parsed = (await parseTool?.call({ html: fetched.html }, context)) as { title: string; text: string };
  const extracted = await extractTool?.call(parsed, context);
  const categorised = (await categoriseTool?.call(extracted, context)) as { category: string };
  return notifyTool?.call({ url, title: parsed.title, category: categorised.category }, context);
}

const uncached = compose({ cacheSize: 0 }, ...tools);
const cached = compose(...tools);

/** Counts every chain ever run, so "new" inputs are new across runs too. */
let serial = 0;

async function time(call: (url: string) => Promise<unknown>, sameInput = false): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < chains; i++) await call(sameInput ? 'https://a.example/0' : `https://a.example/${serial++}`);
  return ((performance.now() - started) * 1_000) / chains;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const cases: [string, (url: string) => Promise<unknown>, boolean][] = [
  ['five functions called directly', direct, false],
  ['five tools called by hand (zod in/out)', validatedByHand, false],
  ['compose(), cache off', (url) => uncached.call({ url }, context), false],
  ['compose(), default cache, every input new', (url) => cached.call({ url }, context), false],
  ['compose(), default cache, same input', (url) => cached.call({ url }, context), true],
];
const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, call, same] of cases) await time(call, same); // warm-up
for (let r = 0; r < runs; r++) {
  for (const [name, call, same] of cases) samples.get(name)?.push(await time(call, same));
}

console.log(`bench/compose: ${chains} chains × ${runs} runs, median µs per 5-step chain (Node ${process.version})\n`);
const baseline = median(samples.get(cases[0]?.[0] as string) as number[]);
for (const [name] of cases) {
  const us = median(samples.get(name) as number[]);
  const over = us - baseline;
  console.log(
    `${name.padEnd(42)} ${us.toFixed(2).padStart(8)} µs   ×${(us / baseline).toFixed(1).padStart(5)}   overhead ${over.toFixed(2).padStart(7)} µs`,
  );
}
