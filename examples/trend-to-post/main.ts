// Trend to post: "find what's trending and post a short take on the top trend to all social
// platforms". A research step calls `fetchTrends` through tool calling, a drafting step writes
// the take, the Judge scores it, and three posts send `{{draft.output}}`. Offline on troupe's
// demo model; a real model when OPENAI_API_KEY / OPENAI_BASE_URL are set.
import { createRuntime, demoModel, demoTools, Outbox, openaiModelFromEnv } from 'troupe';

const goal = process.argv[2] ?? "Find what's trending and post a short take on the top trend to all social platforms";

const outbox = new Outbox();
const runtime = createRuntime({
  model: openaiModelFromEnv() ?? demoModel(),
  tools: demoTools(outbox),
  // The Judge scores the draft: a take that fits every platform (X allows 280 characters) passes.
  judge: {
    score: ({ output }) => (typeof output === 'string' && output.length > 0 && output.length <= 280 ? 1 : 0),
    appliesTo: (task) => task.id === 'draft',
  },
});
const handle = runtime.run(goal);

handle.events$.subscribe((event) => {
  let detail = 'taskId' in event ? ` ${event.taskId}` : '';
  if (event.type === 'tool.called') detail += ` ${event.tool}`;
  if (event.type === 'judge.scored') detail += ` ${event.verdict} (${event.score})`;
  if (event.type === 'task.started' && event.input !== undefined) detail += ` input ${JSON.stringify(event.input)}`;
  console.log(`#${event.seq} ${event.type}${detail}`);
});

const result = await handle.result;
console.log(`\nrun ${result.status}`);
if (result.status === 'completed') console.log(result.answer);
else console.log(`${result.error.code}: ${result.error.message}`);

console.log('\noutbox:');
for (const post of outbox.posts) console.log(`  ${post.platform.padEnd(8)} ${post.url}  "${post.text}"`);

await runtime.close();
process.exitCode = result.status === 'completed' && outbox.posts.length === 3 ? 0 : 1;
