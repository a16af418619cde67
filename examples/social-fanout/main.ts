// Social fan-out: one goal, a plan of three tool calls run in parallel, one synthesis.
// Runs offline on troupe's demo model; every step is printed as it is recorded.
import { createRuntime, demoModel, Outbox, socialPlatformTools } from 'troupe';

const goal = process.argv[2] ?? "Post 'troupe 0.1 is out: an actor runtime for AI agents' to all social platforms";

const outbox = new Outbox();
const runtime = createRuntime({ model: demoModel(), tools: socialPlatformTools(outbox) });
const handle = runtime.run(goal);

handle.events$.subscribe((event) => {
  const detail = 'taskId' in event ? ` ${event.taskId}` : '';
  console.log(`#${event.seq} ${event.type}${detail}`);
});

const result = await handle.result;
console.log(`\nrun ${result.status}`);
if (result.status === 'completed') console.log(result.answer);
else console.log(`${result.error?.code}: ${result.error?.message}`);

console.log('\noutbox:');
for (const post of outbox.posts) console.log(`  ${post.platform.padEnd(8)} ${post.url}  "${post.text}"`);

await runtime.close();
process.exitCode = result.status === 'completed' ? 0 : 1;
