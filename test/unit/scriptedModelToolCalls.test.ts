import { describe, expect, it } from 'vitest';
import type { ProcessRequest } from '../../src/model/Model.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';

const signal = new AbortController().signal;

const request: ProcessRequest = {
  purpose: 'process',
  goal: 'g',
  task: { id: 'research', description: 'Find the top trend', kind: 'processing', dependsOn: [] },
  inputs: {},
  messages: [],
};

describe('scriptedModel tool calls', () => {
  it('sends object arguments as JSON, string arguments as written, with ids numbered by turn', async () => {
    const model = scriptedModel({
      process: () => ({
        content: 'two calls',
        toolCalls: [
          { name: 'trends', arguments: { region: 'eu' } },
          { name: 'trends', arguments: '{junk' },
          { name: 'now' },
        ],
      }),
    });
    const first = await model.complete(request, { signal });
    expect(first).toEqual({
      content: 'two calls',
      toolCalls: [
        { id: 'call-1-1', name: 'trends', arguments: '{"region":"eu"}' },
        { id: 'call-1-2', name: 'trends', arguments: '{junk' },
        { id: 'call-1-3', name: 'now', arguments: '{}' },
      ],
    });
    const later = await model.complete({ ...request, turns: [{ content: '', calls: [], results: [] }] }, { signal });
    expect(later.toolCalls?.[0]?.id).toBe('call-2-1');
  });

  it('keeps a script’s own call ids and shows it the results of earlier turns', async () => {
    const model = scriptedModel({
      process: (_task, req) =>
        req.turns === undefined || req.turns.length === 0
          ? { toolCalls: [{ id: 'mine', name: 'trends' }] }
          : `saw ${JSON.stringify(req.turns[0]?.results[0])}`,
    });
    expect((await model.complete(request, { signal })).toolCalls?.[0]?.id).toBe('mine');
    const answer = await model.complete(
      {
        ...request,
        turns: [
          {
            content: '',
            calls: [{ id: 'mine', name: 'trends', arguments: '{}' }],
            results: [{ callId: 'mine', name: 'trends', ok: true, output: ['#rust'] }],
          },
        ],
      },
      { signal },
    );
    expect(answer.content).toBe('saw {"callId":"mine","name":"trends","ok":true,"output":["#rust"]}');
  });
});
