// bench/model: what openaiModel adds per call over a raw `openai` SDK call, both against the same
// local OpenAI-compatible server (127.0.0.1) in the same process, whole and streamed.
// Usage: npm run build && npm run bench:model [-- --calls 300 --runs 5]
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { type ModelRequest, openaiModel } from 'troupe';
import { startOpenAIServer } from '../../test/support/openaiServer.js';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '300' }, runs: { type: 'string', default: '5' } },
});
const calls = Number(values.calls);
const runs = Number(values.runs);

const answer = 'A short answer of a few words, streamed in pieces of eight characters.';
const server = await startOpenAIServer(() => ({ content: answer }));
const signal = new AbortController().signal;
const messages = [
  { role: 'system' as const, content: 'You carry out one step of a plan.' },
  { role: 'user' as const, content: 'Summarise the launch in one line.' },
];
const request: ModelRequest = {
  purpose: 'synthesize',
  goal: 'launch',
  results: [],
  messages,
};

// The raw client is configured as the adapter configures its own: no SDK retries, same timeout.
// It gets no signal: the SDK leaves a listener on a signal it is given, and the bench reuses one.
const raw = new OpenAI({ apiKey: 'not-needed', baseURL: server.baseURL, maxRetries: 0, timeout: 60_000 });
const adapter = openaiModel({ baseURL: server.baseURL, model: 'gpt-4o-mini', env: {} });
const streaming = openaiModel({ baseURL: server.baseURL, model: 'gpt-4o-mini', env: {}, stream: true });

const pairs: Record<string, [() => Promise<unknown>, () => Promise<unknown>]> = {
  whole: [
    () => raw.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    () => adapter.complete(request, { signal }),
  ],
  streamed: [
    async () => {
      const stream = await raw.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    },
    () => streaming.complete(request, { signal, onToken: () => undefined }),
  ],
};

async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return (performance.now() - started) * 1000;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

// Calls alternate raw / adapter (swapping who goes first), and the overhead is the median of the
// paired differences: on a shared machine, load drifts far more between seconds than between two calls.
console.log(`${runs} × ${calls} paired calls per mode, local server on 127.0.0.1 (median µs per call)`);
for (const [mode, [rawCall, ourCall]] of Object.entries(pairs)) {
  for (let i = 0; i < 50; i++) await Promise.all([rawCall(), ourCall()]); // warm up sockets and JIT
  const rawTimes: number[] = [];
  const ourTimes: number[] = [];
  const diffs: number[] = [];
  for (let i = 0; i < runs * calls; i++) {
    const rawFirst = i % 2 === 0;
    const a = rawFirst ? await timed(rawCall) : 0;
    const b = await timed(ourCall);
    const c = rawFirst ? a : await timed(rawCall);
    rawTimes.push(c);
    ourTimes.push(b);
    diffs.push(b - c);
  }
  const base = median(rawTimes);
  const overhead = median(diffs);
  console.log(
    `  ${mode.padEnd(9)} raw openai ${base.toFixed(0).padStart(6)}   openaiModel ${median(ourTimes).toFixed(0).padStart(6)}` +
      `   overhead ${overhead.toFixed(0).padStart(5)} µs (${((overhead / base) * 100).toFixed(1)}% of a raw call)`,
  );
}
await server.close();
