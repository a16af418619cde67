// The social fan-out on a real model through the `openai` SDK: OpenAI, or any OpenAI-compatible
// server (Ollama, llama.cpp, vLLM). Set OPENAI_API_KEY (and TROUPE_MODEL), or OPENAI_BASE_URL, in
// the environment or a .env file. With neither set it starts nothing external: it runs
// openaiModel against troupe's local stand-in server on 127.0.0.1 (scripted answers), so the
// whole HTTP path — structured output, usage, cost, events — runs offline, and says so.
import { createRuntime, Outbox, openaiModel, openaiModelFromEnv, socialPlatformTools } from 'troupe';
import { type ChatRequestBody, type ServerReply, startOpenAIServer } from '../../test/support/openaiServer.js';

const goal = process.argv[2] ?? "Post 'troupe 0.1 is out: an actor runtime for AI agents' to all social platforms";

/** The stand-in's answers: the fan-out plan for plan requests (they carry a JSON schema), else a synthesis. */
function standIn(body: ChatRequestBody): ServerReply {
  const prompt = body.messages.at(-1)?.content ?? '';
  if (body.response_format === undefined) {
    const urls = prompt.match(/https:\/\/[^\s"\\]+/g) ?? [];
    return { content: `Posted to ${urls.length} platforms:\n${urls.map((u) => `- ${u}`).join('\n')}` };
  }
  const text = /'([^']+)'/.exec(prompt)?.[1] ?? prompt;
  const task = (id: string, tool: string, name: string) => ({
    id,
    description: `Post the message to ${name}`,
    kind: 'tool_call',
    tool,
    input: { text },
  });
  return {
    content: JSON.stringify({
      tasks: [
        task('threads', 'postToThreads', 'Threads'),
        task('bluesky', 'postToBluesky', 'Bluesky'),
        task('x', 'postToX', 'X'),
      ],
    }),
  };
}

const fromEnv = openaiModelFromEnv({ stream: true });
const server = fromEnv === undefined ? await startOpenAIServer(standIn) : undefined;
const model = fromEnv ?? openaiModel({ baseURL: server?.baseURL, model: 'gpt-4o-mini', stream: true, env: {} });
console.log(
  server === undefined
    ? `model: ${model.name} at ${process.env.OPENAI_BASE_URL || 'https://api.openai.com/v1'}`
    : `No OPENAI_API_KEY or OPENAI_BASE_URL: using troupe's local OpenAI-compatible stand-in at ${server.baseURL}\n` +
        '(scripted answers, priced as gpt-4o-mini; set the variables to use a real model)',
);

const outbox = new Outbox();
const runtime = createRuntime({ model, tools: socialPlatformTools(outbox) });
const handle = runtime.run(goal);
let streamed = 0;
handle.tokens$.subscribe(() => {
  streamed += 1;
});
handle.events$.subscribe((event) => {
  if (event.type === 'model.called') {
    const { usage, costUsd, durationMs } = event;
    console.log(
      `#${event.seq} model.called ${event.purpose}: ${usage.inputTokens} in / ${usage.outputTokens} out, ` +
        `$${costUsd.toFixed(6)}, ${Math.round(durationMs)} ms`,
    );
  } else if (event.type === 'model.attempt_failed') {
    console.log(`#${event.seq} model.attempt_failed ${event.purpose} #${event.attempt}: ${event.error.message}`);
  } else {
    console.log(`#${event.seq} ${event.type}${'taskId' in event ? ` ${event.taskId}` : ''}`);
  }
});

const result = await handle.result;
console.log(`\nrun ${result.status}`);
if (result.status === 'completed') console.log(result.answer);
else console.log(`${result.error?.code}: ${result.error?.message}`);
const { calls, inputTokens, outputTokens, costUsd } = result.usage;
console.log(
  `\n${calls} model calls, ${inputTokens} + ${outputTokens} tokens, $${costUsd.toFixed(6)}; ${streamed} streamed pieces`,
);
for (const post of outbox.posts) console.log(`  ${post.platform.padEnd(8)} ${post.url}  "${post.text}"`);

await runtime.close();
await server?.close();
process.exitCode = result.status === 'completed' ? 0 : 1;
