// A quicksort tournament: 100 agents each write a quicksort (a scripted model hands out
// variants, some subtly wrong); each is run in its own worker thread, with time and memory
// limits, on a shared test suite, in parallel; the outputs are put to a majority vote per
// test case, and contestants are ranked by correctness, then speed.
// Usage: npm run example:tournament [-- --contestants 100 --parallel 4]
import { parseArgs } from 'node:util';
import { from, lastValueFrom } from 'rxjs';
import { dispatchAgents, majorityVote, openaiModelFromEnv, rankBy, type SubAgentResult, scriptedModel } from 'troupe';
import { runInArena, type TestCase, type Trial } from './arena.js';
import { variantFor, variantOf } from './contestants.js';

const { values } = parseArgs({
  options: {
    contestants: { type: 'string', default: '100' },
    parallel: { type: 'string', default: '4' },
  },
});
const contestants = Number(values.contestants);
const parallel = Number(values.parallel);

let seed = 7;
const random = (below: number) => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % below;
};
const ints = (n: number, below: number) => Array.from({ length: n }, () => random(below));
const n = 1_000;
const suite: TestCase[] = [
  { name: 'random', items: ints(n, 1_000_000), byKey: false },
  {
    name: 'sorted',
    items: Array.from({ length: n }, (_, i) => i),
    byKey: false,
    maxComparisons: Math.ceil(4 * n * Math.log2(n)),
  },
  {
    name: 'reversed',
    items: Array.from({ length: n }, (_, i) => n - i),
    byKey: false,
    maxComparisons: Math.ceil(4 * n * Math.log2(n)),
  },
  { name: 'duplicates', items: ints(n, 10), byKey: false },
  { name: 'stability', items: Array.from({ length: 500 }, (_, seq) => ({ key: random(20), seq })), byKey: true },
  { name: 'empty', items: [], byKey: false },
  { name: 'single', items: [7], byKey: false },
];

const started = performance.now();

// Round 1: every contestant writes its implementation (one model call each).
// A real model writes the code when OPENAI_API_KEY / OPENAI_BASE_URL are set (or in .env).
const author =
  openaiModelFromEnv() ??
  scriptedModel({
    name: 'scripted-author',
    process: (_task, request) => variantFor(Number(request.inputs.id)).source,
  });
// Models like to wrap code in a fence; the function is what runs.
const codeOf = (text: string) => text.replace(/^[\s\S]*?```(?:js|javascript)?\n|```[\s\S]*$/g, '');
const written = await dispatchAgents({
  template: 'Write a JavaScript function `sort(items, compare)` implementing quicksort. You are contestant {{id}}.',
  arguments: Array.from({ length: contestants }, (_, id) => ({ id })),
  model: author,
  maxParallel: 20,
});
const sources = new Map(written.map((w) => [w.args.id, codeOf(String(w.output ?? ''))]));

// Round 2: each implementation runs in isolation on the shared suite, `parallel` at a time.
const trials = await dispatchAgents({
  template: 'Run contestant {{id}} on the shared test suite',
  arguments: written.map((w) => ({ id: w.args.id })),
  agent: (_prompt, ctx): Promise<Trial> =>
    runInArena(sources.get(ctx.args.id) ?? '', suite, { timeMs: 2_000, memoryMb: 48 }, ctx.signal),
  maxParallel: parallel,
  timeoutMs: 10_000,
});

// Round 3: the majority output of each case is taken as right; no reference sort is consulted.
type Result = SubAgentResult<Trial, { id: number }>;
const consensus: (string | undefined)[] = [];
for (let k = 0; k < suite.length; k++) {
  const vote = await lastValueFrom(from(trials).pipe(majorityVote((r: Result) => r.output?.cases[k]?.digest)));
  consensus.push(vote.outcome === 'majority' ? (vote.winner as string) : undefined);
  const share = `${vote.votes}/${vote.cast} votes${vote.abstained > 0 ? `, ${vote.abstained} abstained` : ''}`;
  console.log(`case ${(suite[k]?.name ?? '').padEnd(10)} ${vote.outcome.padEnd(9)} ${share}`);
}
const passed = (r: Result) =>
  r.output?.cases.filter((c, k) => c.digest === consensus[k] && c.withinComparisons).length ?? 0;
const ranked = await lastValueFrom(from(trials).pipe(rankBy((r: Result) => [passed(r), -(r.output?.ms ?? 0)])));

const elapsed = performance.now() - started;
const label = (r: Result) => variantOf(sources.get(r.args.id) ?? '')?.kind ?? `written by ${author.name}`;
console.log(`\nleaderboard (top 10 of ${ranked.length}): passed cases, then time on the suite`);
for (const [place, r] of ranked.slice(0, 10).entries()) {
  console.log(
    `${String(place + 1).padStart(3)}. contestant ${String(r.args.id).padStart(2)}  ${passed(r)}/${suite.length}  ${(r.output?.ms ?? 0).toFixed(1).padStart(6)} ms  ${label(r)}`,
  );
}

console.log('\nby implementation:');
const kinds = new Map<string, Result[]>();
for (const r of ranked) kinds.set(label(r), [...(kinds.get(label(r)) ?? []), r]);
for (const [kind, rows] of kinds) {
  const flaw = variantOf(sources.get(rows[0]?.args.id ?? -1) ?? '')?.flaw ?? '';
  const failures = rows.filter((r) => !r.success);
  const outcome =
    failures.length > 0
      ? `stopped: ${failures[0]?.error?.message}`
      : `${passed(rows[0] as Result)}/${suite.length} passed`;
  console.log(`  ${String(rows.length).padStart(3)} × ${kind.padEnd(28)} ${outcome}  (flaw: ${flaw})`);
}

const best = ranked[0];
const bestVariant = best === undefined ? undefined : variantOf(sources.get(best.args.id) ?? '');
// Scripted contestants: the winner must be a flawless variant; a real model's code must pass every case.
const winnerIsCorrect =
  best !== undefined && passed(best) === suite.length && (bestVariant === undefined || bestVariant.flaw === 'none');
console.log(
  `\n${written.length + trials.length} agents in ${(elapsed / 1000).toFixed(2)} s; the winner is a correct implementation: ${winnerIsCorrect ? 'yes' : 'NO'}`,
);
process.exitCode = winnerIsCorrect ? 0 : 1;
