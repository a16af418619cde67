import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ModelOutputError } from '../../src/errors.js';
import type { ModelAttempt, PlanRequest, ProcessRequest } from '../../src/model/Model.js';
import { type OpenAIModelOptions, openaiModel } from '../../src/model/openaiModel.js';
import { type OpenAIServer, startOpenAIServer } from '../support/openaiServer.js';

let server: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.respond(() => ({ content: 'ok' }));
});

const signal = new AbortController().signal;
const fast = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 };

function model(options: OpenAIModelOptions = {}) {
  return openaiModel({ baseURL: server.baseURL, model: 'gpt-4o-mini', retry: fast, env: {}, ...options });
}

const planRequest: PlanRequest = {
  purpose: 'plan',
  goal: 'say hi',
  tools: [],
  attempt: 1,
  output: { name: 'plan', schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' } },
  messages: [
    { role: 'system', content: 'plan it' },
    { role: 'user', content: 'say hi' },
  ],
};

const processRequest: ProcessRequest = {
  purpose: 'process',
  goal: 'write a post',
  task: { id: 'draft', description: 'Draft the post', kind: 'processing', dependsOn: [] },
  inputs: {},
  messages: [{ role: 'user', content: 'Draft the post' }],
};

describe('openaiModel over HTTP', () => {
  it('asks for a plan with the plan’s JSON schema and prices the usage', async () => {
    server.respond(() => ({ content: '{"tasks":[]}', usage: { input: 1_000_000, output: 1_000_000 } }));
    const reply = await model().complete(planRequest, { signal });
    expect(reply).toEqual({
      content: '{"tasks":[]}',
      usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
      costUsd: 0.75,
      attempts: 1,
    });
    const [sent] = server.requests;
    expect(sent?.model).toBe('gpt-4o-mini');
    expect(sent?.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'plan', schema: { type: 'object' }, strict: false },
    });
    expect(sent?.tools).toBeUndefined();
  });

  it('offers ask_clarification to a processing step and maps a call of it to a clarification', async () => {
    server.respond(() => ({ toolCall: { name: 'ask_clarification', arguments: '{"question":"Which tone?"}' } }));
    const reply = await model().complete(processRequest, { signal });
    expect(reply.clarification).toBe('Which tone?');
    expect(server.requests[0]?.tools?.map((t) => t.function.name)).toEqual(['ask_clarification']);
    // Once answered, the step may not ask again.
    server.respond(() => ({ content: 'A formal post' }));
    const answered = await model().complete({ ...processRequest, answer: 'formal' }, { signal });
    expect(answered.content).toBe('A formal post');
    expect(server.requests[1]?.tools).toBeUndefined();
  });

  it('streams text token by token and assembles streamed function calls', async () => {
    const text = 'The quick brown fox jumps over the lazy dog';
    server.respond(() => ({ content: text }));
    const tokens: string[] = [];
    const reply = await model({ stream: true }).complete(processRequest, {
      signal,
      onToken: (delta) => tokens.push(delta),
    });
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe(text);
    expect(reply.content).toBe(text);
    expect(reply.usage?.outputTokens).toBe(Math.ceil(text.length / 4));
    expect(server.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    server.respond(() => ({
      toolCall: { name: 'ask_clarification', arguments: '{"question":"Which platform first?"}' },
    }));
    const asked = await model({ stream: true }).complete(processRequest, { signal });
    expect(asked.clarification).toBe('Which platform first?');
  });

  it('waits what retry-after asks after a 429, reporting the attempt', async () => {
    server.enqueue({ fault: 'rate_limit', retryAfter: '0.02' });
    const attempts: ModelAttempt[] = [];
    const reply = await model().complete(processRequest, { signal, onAttempt: (a) => attempts.push(a) });
    expect(reply).toMatchObject({ content: 'ok', attempts: 2 });
    expect(attempts).toEqual([
      { attempt: 1, status: 429, retryInMs: 20, error: { code: 'MODEL_RATE_LIMITED', message: expect.any(String) } },
    ]);
  });

  it('honours retry-after-ms, and gives up at once when retry-after exceeds maxRetryAfterMs', async () => {
    server.enqueue({ fault: 'rate_limit', retryAfterMs: '5' });
    const attempts: ModelAttempt[] = [];
    await model().complete(processRequest, { signal, onAttempt: (a) => attempts.push(a) });
    expect(attempts[0]?.retryInMs).toBe(5);

    server.enqueue({ fault: 'rate_limit', retryAfter: '3600' });
    const refused: ModelAttempt[] = [];
    const call = model().complete(processRequest, { signal, onAttempt: (a) => refused.push(a) });
    await expect(call).rejects.toMatchObject({ code: 'MODEL_RATE_LIMITED' });
    expect(refused).toEqual([expect.objectContaining({ attempt: 1, status: 429 })]);
    expect(refused[0]).not.toHaveProperty('retryInMs');
  });

  it('retries 5xx with backoff and fails MODEL_FAILED once retries run out, every attempt reported', async () => {
    server.respond(() => ({ fault: 'server_error', status: 503 }));
    const attempts: ModelAttempt[] = [];
    const call = model().complete(processRequest, { signal, onAttempt: (a) => attempts.push(a) });
    await expect(call).rejects.toMatchObject({ code: 'MODEL_FAILED', message: expect.stringContaining('503') });
    expect(attempts.map((a) => [a.attempt, a.status, a.retryInMs !== undefined])).toEqual([
      [1, 503, true],
      [2, 503, true],
      [3, 503, false],
    ]);
    for (const a of attempts.slice(0, 2)) expect(a.retryInMs).toBeLessThanOrEqual(fast.maxDelayMs);
    expect(server.requests).toHaveLength(3);
  });

  it('times out an attempt that never answers, retries it, then fails TOOL_TIMEOUT', async () => {
    server.respond(() => ({ fault: 'hang' }));
    const attempts: ModelAttempt[] = [];
    const call = model({ timeoutMs: 30, retry: { ...fast, maxRetries: 1 } }).complete(processRequest, {
      signal,
      onAttempt: (a) => attempts.push(a),
    });
    await expect(call).rejects.toMatchObject({ code: 'TOOL_TIMEOUT' });
    expect(attempts.map((a) => a.error.code)).toEqual(['TOOL_TIMEOUT', 'TOOL_TIMEOUT']);
  });

  it('stops at once when the caller aborts, with the abort’s reason', async () => {
    server.respond(() => ({ fault: 'hang' }));
    const controller = new AbortController();
    const call = model().complete(processRequest, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(call).rejects.toMatchObject({ code: 'RUN_CANCELLED' });
  });

  it('refuses an answer cut at the token limit, keeping what was said', async () => {
    server.respond(() => ({ fault: 'length' }));
    const call = model().complete(planRequest, { signal });
    await expect(call).rejects.toBeInstanceOf(ModelOutputError);
    await expect(model().complete(planRequest, { signal })).rejects.toMatchObject({
      message: expect.stringContaining('finish_reason: length'),
      output: '{"tasks": [{"id": "a", "descri',
    });
  });

  it('refuses a call of a function it did not offer, and ask_clarification with bad arguments', async () => {
    server.respond(() => ({ toolCall: { name: 'postToX', arguments: '{"text":"hi"}' } }));
    await expect(model().complete(processRequest, { signal })).rejects.toMatchObject({
      code: 'MODEL_OUTPUT_INVALID',
      message: expect.stringContaining('called function `postToX`, but only `ask_clarification` is offered'),
    });
    server.respond(() => ({ toolCall: { name: 'ask_clarification', arguments: '{"q": 1}' } }));
    await expect(model().complete(processRequest, { signal })).rejects.toMatchObject({
      code: 'MODEL_OUTPUT_INVALID',
      message: expect.stringContaining('question'),
    });
    server.respond(() => ({ toolCall: { name: 'ask_clarification', arguments: '{"question": ' } }));
    await expect(model().complete(processRequest, { signal })).rejects.toMatchObject({
      message: expect.stringContaining('not JSON'),
    });
  });

  it('runs requests one at a time under maxConcurrent: 1', async () => {
    let inFlight = 0;
    let most = 0;
    server.respond(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return { content: 'ok' };
    });
    const limited = model({ limits: { maxConcurrent: 1 } });
    await Promise.all([1, 2, 3].map(() => limited.complete(processRequest, { signal })));
    expect(most).toBe(1);
    expect(server.requests).toHaveLength(3);
  });
});

describe('openaiModel configuration', () => {
  it('names OPENAI_API_KEY when OpenAI is asked without a key', () => {
    expect(() => openaiModel({ env: {} })).toThrow(ConfigError);
    expect(() => openaiModel({ env: {} })).toThrow(/OPENAI_API_KEY/);
    expect(() => openaiModel({ env: { OPENAI_BASE_URL: 'https://api.openai.com/v1' } })).toThrow(/OPENAI_API_KEY/);
  });

  it('needs no key for a local server, and takes the model from TROUPE_MODEL', () => {
    const local = openaiModel({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', TROUPE_MODEL: 'llama3.2' } });
    expect(local.name).toBe('llama3.2');
    expect(openaiModel({ env: { OPENAI_API_KEY: 'sk-test' } }).name).toBe('gpt-4o-mini');
  });

  it('refuses bad options, naming each field and value', () => {
    const bad = () =>
      openaiModel({
        env: {},
        baseURL: 'not a url',
        timeoutMs: 0,
        retry: { maxRetries: -1 },
        temperature: 5,
      });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (err) {
      const issues = (err as ConfigError).issues.join('\n');
      for (const field of ['baseURL', 'timeoutMs', 'retry.maxRetries', 'temperature']) expect(issues).toContain(field);
    }
    expect(() => model({ limits: { maxConcurrent: 0.5 } })).toThrow(/limits\.maxConcurrent/);
    expect(() => model({ prices: { mine: { inputPerMTok: -1, outputPerMTok: 0 } } })).toThrow(
      /prices\.mine\.inputPerMTok/,
    );
  });
});
