import { describe, expect, it } from 'vitest';
import { ModelOutputError } from '../../src/errors.js';
import { checkReply } from '../../src/model/checkReply.js';
import type { ModelRequest } from '../../src/model/Model.js';

const request: ModelRequest = { purpose: 'synthesize', goal: 'g', results: [], messages: [] };

function refusal(reply: unknown): ModelOutputError {
  try {
    checkReply(reply, request, 'm');
  } catch (err) {
    if (err instanceof ModelOutputError) return err;
    throw err;
  }
  throw new Error('the reply was accepted');
}

describe('checkReply', () => {
  it('passes a whole reply through, fields it does not know included', () => {
    const reply = { content: 'ok', usage: { inputTokens: 3, outputTokens: 0 }, costUsd: 0, attempts: 2, extra: [1] };
    expect(checkReply(reply, request, 'm')).toBe(reply);
  });

  it.each([
    [undefined, /`reply` undefined; expected an object/],
    [{ content: null }, /`content` null; expected a string/],
    [{ content: '', clarification: 'x'.repeat(2_001) }, /`clarification` "x+; expected a question of 1 to 2000/],
    [{ content: '', clarification: 7 }, /`clarification` 7/],
    [{ content: '', usage: 'lots' }, /`usage` "lots"; expected `\{ inputTokens, outputTokens \}`/],
    [{ content: '', usage: { inputTokens: 1, outputTokens: -2 } }, /`usage.outputTokens` -2; expected an integer ≥ 0/],
    [{ content: '', costUsd: -0.5 }, /`costUsd` -0.5/],
    [{ content: '', attempts: 0 }, /`attempts` 0; expected an integer ≥ 1/],
    // Past 2^53 a number is no longer an exact integer, and the log's schema refuses it.
    [{ content: '', attempts: 2 ** 53 }, /`attempts` 9007199254740992; expected an integer ≥ 1/],
    [{ content: '', usage: { inputTokens: 2 ** 53, outputTokens: 0 } }, /`usage.inputTokens` 9007199254740992/],
    [{ content: '', toolCalls: [] }, /`toolCalls` \[\]; expected a list of 1 to 128 calls/],
    [
      { content: '', toolCalls: [{ id: 'a', name: 'x', arguments: {} }] },
      /`toolCalls.0.arguments` \{\}; expected a string/,
    ],
    [
      {
        content: '',
        toolCalls: [
          { id: 'a', name: 'x', arguments: '{}' },
          { id: 'a', name: 'y', arguments: '{}' },
        ],
      },
      /`toolCalls.1.id` "a"; expected a unique non-empty string/,
    ],
    [{ content: '', toolCalls: [{ id: 'a', arguments: '{}' }] }, /`toolCalls.0.name` undefined/],
  ])('refuses %j, naming the field and what was expected', (reply, message) => {
    const error = refusal(reply);
    expect(error.code).toBe('MODEL_OUTPUT_INVALID');
    expect(error.message).toMatch(/^Model `m` \(synthesize\) replied with /);
    expect(error.message).toMatch(message);
  });

  it('describes values JSON cannot show without throwing', () => {
    expect(refusal({ content: 10n }).message).toContain('`content` 10;');
    expect(refusal({ content: Object.create(null) }).message).toContain('`content` {};');
  });
});
