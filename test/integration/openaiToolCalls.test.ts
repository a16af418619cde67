import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelOutputError } from '../../src/errors.js';
import type { ProcessRequest, ToolSpec } from '../../src/model/Model.js';
import { openaiModel } from '../../src/model/openaiModel.js';
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

function model(stream = false) {
  return openaiModel({ baseURL: server.baseURL, model: 'gpt-4o-mini', env: {}, stream, retry: { maxRetries: 0 } });
}

const trends: ToolSpec = {
  name: 'trends',
  description: 'What is trending now',
  inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { region: { type: 'string' } },
  },
  capabilities: [],
};

const request: ProcessRequest = {
  purpose: 'process',
  goal: 'post about the top trend',
  task: { id: 'research', description: 'Find the top trend', kind: 'processing', dependsOn: [] },
  inputs: {},
  tools: [trends],
  messages: [
    { role: 'system', content: 'one step' },
    { role: 'user', content: 'Find the top trend' },
  ],
};

describe('openaiModel function calling over HTTP', () => {
  it('offers the step’s tools as functions beside ask_clarification, and returns several calls with their ids and text', async () => {
    server.respond(() => ({
      content: 'Checking two regions.',
      toolCalls: [
        { id: 'call_eu', name: 'trends', arguments: '{"region":"eu"}' },
        { id: 'call_us', name: 'trends', arguments: '{"region":"us"}' },
      ],
    }));
    const reply = await model().complete(request, { signal });
    expect(reply.content).toBe('Checking two regions.');
    expect(reply.toolCalls).toEqual([
      { id: 'call_eu', name: 'trends', arguments: '{"region":"eu"}' },
      { id: 'call_us', name: 'trends', arguments: '{"region":"us"}' },
    ]);
    const sent = server.requests[0];
    expect(sent?.tools?.map((t) => t.function.name)).toEqual(['ask_clarification', 'trends']);
    // The `$schema` key some compatible servers refuse is left out.
    expect(sent?.tools?.[1]?.function.parameters).toEqual({
      type: 'object',
      properties: { region: { type: 'string' } },
    });
  });

  it('sends earlier turns as an assistant message with tool_calls and one role:"tool" message per call', async () => {
    server.respond(() => ({ content: 'The top trend is #rust' }));
    const reply = await model().complete(
      {
        ...request,
        turns: [
          {
            content: '',
            calls: [
              { id: 'call_1', name: 'trends', arguments: '{}' },
              { id: 'call_2', name: 'tredns', arguments: '{}' },
            ],
            results: [
              { callId: 'call_1', name: 'trends', ok: true, output: [{ name: '#rust' }] },
              {
                callId: 'call_2',
                name: 'tredns',
                ok: false,
                error: { code: 'TOOL_UNAVAILABLE', message: 'no tool `tredns`' },
              },
            ],
          },
        ],
      },
      { signal },
    );
    expect(reply).toMatchObject({ content: 'The top trend is #rust' });
    expect(reply.toolCalls).toBeUndefined();
    const messages = server.requests[0]?.messages ?? [];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool']);
    expect(messages[2]).toMatchObject({
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'trends', arguments: '{}' } },
        { id: 'call_2', type: 'function', function: { name: 'tredns', arguments: '{}' } },
      ],
    });
    expect(messages[3]?.tool_call_id).toBe('call_1');
    // A tool's output is data, wrapped so the model does not take it for instructions.
    expect(messages[3]?.content).toMatch(/^<untrusted_data id="\w+" source="tool:trends">\n\[\{"name":"#rust"\}\]\n/);
    expect(messages[4]).toMatchObject({
      tool_call_id: 'call_2',
      content: '{"error":{"code":"TOOL_UNAVAILABLE","message":"no tool `tredns`"}}',
    });
  });

  it('assembles several streamed calls from their deltas, ids included', async () => {
    server.respond(() => ({
      toolCalls: [
        { id: 'call_a', name: 'trends', arguments: '{"region":"eu","limit":3}' },
        { id: 'call_b', name: 'trends', arguments: '{"region":"us"}' },
      ],
    }));
    const reply = await model(true).complete(request, { signal });
    expect(reply.toolCalls).toEqual([
      { id: 'call_a', name: 'trends', arguments: '{"region":"eu","limit":3}' },
      { id: 'call_b', name: 'trends', arguments: '{"region":"us"}' },
    ]);
  });

  it('passes junk arguments and unknown names through unchecked: the step answers them with tool errors', async () => {
    server.respond(() => ({ toolCalls: [{ id: 'c1', name: 'no_such_tool', arguments: '{not json' }] }));
    const reply = await model().complete(request, { signal });
    expect(reply.toolCalls).toEqual([{ id: 'c1', name: 'no_such_tool', arguments: '{not json' }]);
  });

  it('makes a call of ask_clarification a clarification, even beside other calls', async () => {
    server.respond(() => ({
      toolCalls: [
        { name: 'trends', arguments: '{}' },
        { name: 'ask_clarification', arguments: '{"question":"Which platform?"}' },
      ],
    }));
    const reply = await model().complete(request, { signal });
    expect(reply.clarification).toBe('Which platform?');
    expect(reply.toolCalls).toBeUndefined();
  });

  it('still refuses a function call from a step offered no tools', async () => {
    server.respond(() => ({ toolCall: { name: 'trends', arguments: '{}' } }));
    const { tools: _none, ...plain } = request;
    await expect(model().complete(plain, { signal })).rejects.toThrow(ModelOutputError);
    await expect(model().complete(plain, { signal })).rejects.toThrow(/only `ask_clarification` is offered/);
  });
});
