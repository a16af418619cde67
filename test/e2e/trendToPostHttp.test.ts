import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTools } from '../../src/demo/demoTools.js';
import { Outbox } from '../../src/demo/socialPlatforms.js';
import { takeOn, trendPlan } from '../../src/demo/trendToPost.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { openaiModel } from '../../src/model/openaiModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import {
  type ChatRequestBody,
  type OpenAIServer,
  type ServerReply,
  startOpenAIServer,
} from '../support/openaiServer.js';

const goal = "Find what's trending and post a short take on the top trend to all social platforms";
const take = takeOn({ name: '#agentops', volume: 18_400, growth: 0.62 });

/** A model server that plans with references, calls fetchTrends with real tool_calls, and drafts. */
function respond(body: ChatRequestBody): ServerReply {
  const text = JSON.stringify(body.messages);
  if (body.response_format?.json_schema?.name === 'plan') return { content: JSON.stringify(trendPlan(goal)) };
  if (String(body.messages[0]?.content).includes('final answer')) {
    return { content: 'Posted the take on #agentops to Threads, Bluesky and X.' };
  }
  if (text.includes('Find what is trending')) {
    const result = body.messages.find((m) => m.role === 'tool');
    if (result === undefined) return { toolCalls: [{ id: 'call_1', name: 'fetchTrends', arguments: '{"limit":3}' }] };
    return { content: result.content ?? '' };
  }
  return { content: take };
}

let server: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer(respond);
});
afterAll(() => server.close());

describe('trend to post on openaiModel over HTTP', () => {
  it('researches with a real tool call, drafts, passes the Judge and posts the draft to three platforms', async () => {
    const outbox = new Outbox();
    const log = memoryLog();
    const runtime = createRuntime({
      log,
      model: openaiModel({ baseURL: server.baseURL, model: 'gpt-4o-mini', env: {}, retry: { maxRetries: 0 } }),
      tools: demoTools(outbox),
      judge: { score: ({ output }) => (String(output).length <= 280 ? 1 : 0), appliesTo: (t) => t.id === 'draft' },
    });
    const handle = runtime.run(goal);
    const result = await handle.result;
    expect(result.status === 'failed' ? result.error.message : result.status).toBe('completed');
    if (result.status !== 'completed') return;
    expect(result.answer).toBe('Posted the take on #agentops to Threads, Bluesky and X.');
    expect(outbox.posts.map((p) => [p.platform, p.text])).toEqual([
      ['threads', take],
      ['bluesky', take],
      ['x', take],
    ]);
    const events = await log.read(handle.runId);
    const called = events.filter((e) => e.type === 'tool.called');
    expect(called).toMatchObject([{ taskId: 'research', tool: 'fetchTrends', input: { limit: 3 } }]);
    expect(events.find((e) => e.type === 'judge.scored')).toMatchObject({ taskId: 'draft', verdict: 'accepted' });
    // The model saw the tool's result as a `role: "tool"` message answering its call.
    const followUp = server.requests.find((r) => r.messages.some((m) => m.role === 'tool'));
    expect(followUp?.messages.find((m) => m.role === 'tool')).toMatchObject({ tool_call_id: 'call_1' });
    expect(String(result.tasks.find((t) => t.id === 'research')?.output)).toContain('#agentops');
    await runtime.close();
  });
});
