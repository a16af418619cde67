import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ToolCallLimitError, TroupeError } from '../../src/errors.js';
import type { ModelReply, ToolCallRequest, ToolCallResult, ToolTurn } from '../../src/model/Model.js';
import { type CallPlace, type RecordedTurn, toolLoop } from '../../src/model/toolLoop.js';

function callOf(id: string, name = 'search', args = '{"q":"x"}'): ToolCallRequest {
  return { id, name, arguments: args };
}

function okResult(call: ToolCallRequest, output: unknown = `out:${call.id}`): ToolCallResult {
  return { callId: call.id, name: call.name, ok: true, output };
}

/** A model that replies from a list, one reply per ask, and keeps the turns it was shown. */
function scripted(replies: ModelReply[]) {
  const shown: (readonly ToolTurn[])[] = [];
  return {
    shown,
    ask: async (turns: readonly ToolTurn[]) => {
      shown.push([...turns]);
      const reply = replies[shown.length - 1];
      if (reply === undefined) throw new Error('asked once too often');
      return reply;
    },
  };
}

describe('toolLoop', () => {
  it('returns the first reply that asks for no tools, without calling any', async () => {
    const model = scripted([{ content: 'done' }]);
    const made: string[] = [];
    const reply = await toolLoop({
      taskId: 't',
      ask: model.ask,
      call: async (c) => {
        made.push(c.id);
        return okResult(c);
      },
      maxToolCalls: 5,
    });
    expect(reply).toEqual({ content: 'done' });
    expect(made).toEqual([]);
  });

  it('gives each turn’s results back to the model, in the order of its calls, until it answers', async () => {
    const first = [callOf('a'), callOf('b', 'fetch', '{}')];
    const model = scripted([{ content: 'looking', toolCalls: first }, { content: 'answer' }]);
    const reply = await toolLoop({ taskId: 't', ask: model.ask, call: async (c) => okResult(c), maxToolCalls: 5 });
    expect(reply.content).toBe('answer');
    expect(model.shown[1]).toEqual([
      {
        content: 'looking',
        calls: first,
        results: [okResult(first[0] as ToolCallRequest), okResult(first[1] as ToolCallRequest)],
      },
    ]);
  });

  it('makes every call of one turn at once', async () => {
    const calls = [callOf('a'), callOf('b'), callOf('c')];
    const model = scripted([{ content: '', toolCalls: calls }, { content: 'ok' }]);
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const loop = toolLoop({
      taskId: 't',
      ask: model.ask,
      call: async (c) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running -= 1;
        return okResult(c);
      },
      maxToolCalls: 5,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(peak).toBe(3);
    for (const r of release) r();
    await expect(loop).resolves.toEqual({ content: 'ok' });
  });

  it('counts repeated calls of the same tool with the same arguments, so each has its own place', async () => {
    const places: CallPlace[] = [];
    const model = scripted([
      { content: '', toolCalls: [callOf('a'), callOf('b')] },
      { content: '', toolCalls: [callOf('c'), callOf('d', 'search', '{"q":"y"}')] },
      { content: 'ok' },
    ]);
    await toolLoop({
      taskId: 't',
      ask: model.ask,
      call: async (c, place) => {
        places.push(place);
        return okResult(c);
      },
      maxToolCalls: 5,
    });
    expect(places).toEqual([
      { turn: 1, occurrence: 0 },
      { turn: 1, occurrence: 1 },
      { turn: 2, occurrence: 2 },
      { turn: 2, occurrence: 0 },
    ]);
  });

  it('stops a model that never stops calling tools at maxToolCalls, before the call past the limit', async () => {
    let made = 0;
    const loop = toolLoop({
      taskId: 'research',
      ask: async (turns) => ({ content: '', toolCalls: [callOf(`c${turns.length}`)] }),
      call: async (c) => {
        made += 1;
        return okResult(c);
      },
      maxToolCalls: 3,
    });
    await expect(loop).rejects.toThrow(ToolCallLimitError);
    await expect(loop).rejects.toMatchObject({ code: 'TOOL_CALL_LIMIT', taskId: 'research', maxToolCalls: 3 });
    expect(made).toBe(3);
  });

  it('resumes from recorded turns: only calls without a recorded result are made, in their recorded place', async () => {
    const a = callOf('a');
    const b = callOf('b');
    const recorded: RecordedTurn[] = [
      {
        content: '',
        calls: [callOf('z', 'fetch', '{}')],
        results: new Map([['z', okResult(callOf('z', 'fetch', '{}'))]]),
      },
      { content: 'two more', calls: [a, b], results: new Map([['a', okResult(a, 'recorded')]]) },
    ];
    const made: [string, CallPlace][] = [];
    const model = scripted([{ content: 'answer' }]);
    const reply = await toolLoop({
      taskId: 't',
      ask: model.ask,
      call: async (c, place) => {
        made.push([c.id, place]);
        return okResult(c);
      },
      maxToolCalls: 3,
      recorded,
    });
    expect(reply.content).toBe('answer');
    expect(made).toEqual([['b', { turn: 2, occurrence: 1 }]]);
    expect(model.shown[0]?.[1]?.results).toEqual([okResult(a, 'recorded'), okResult(b)]);
  });

  it('returns a clarification even when the same reply asks for tools', async () => {
    const model = scripted([{ content: '', clarification: 'Which market?', toolCalls: [callOf('a')] }]);
    const reply = await toolLoop({
      taskId: 't',
      ask: model.ask,
      call: () => Promise.reject(new Error('no call expected')),
      maxToolCalls: 5,
    });
    expect(reply.clarification).toBe('Which market?');
  });

  it('stops the step when a call throws (cancellation, deadline, budget)', async () => {
    const model = scripted([{ content: '', toolCalls: [callOf('a')] }]);
    const loop = toolLoop({
      taskId: 't',
      ask: model.ask,
      call: () => Promise.reject(new TroupeError('BUDGET_EXCEEDED', 'over budget')),
      maxToolCalls: 5,
    });
    await expect(loop).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
  });

  it('never makes more than maxToolCalls calls, and fails exactly when the model asks for more', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 12 }),
        async (turnSizes, max) => {
          let made = 0;
          const replies: ModelReply[] = turnSizes.map((size, t) => ({
            content: '',
            toolCalls: Array.from({ length: size }, (_, i) => callOf(`${t}-${i}`)),
          }));
          replies.push({ content: 'answer' });
          const model = scripted(replies);
          const outcome = await toolLoop({
            taskId: 't',
            ask: model.ask,
            call: async (c) => {
              made += 1;
              return okResult(c);
            },
            maxToolCalls: max,
          }).then(
            (reply) => reply.content,
            (err: unknown) => (err instanceof ToolCallLimitError ? 'limit' : 'other'),
          );
          const asked = turnSizes.reduce((sum, n) => sum + n, 0);
          expect(made).toBeLessThanOrEqual(max);
          expect(outcome).toBe(asked <= max ? 'answer' : 'limit');
        },
      ),
    );
  });
});
