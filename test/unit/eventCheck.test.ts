import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventInvalidError } from '../../src/errors.js';
import type { UnsequencedEvent } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { checkEvents } from '../../src/log/eventCheck.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { draftEvent, tempDir } from '../helpers/tempLog.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;

/** Events a careless producer could hand a log, each with the field that must be named. */
const junk: [string, Record<string, unknown>, string, RegExp][] = [
  ['a number as the answer', { type: 'run.completed', answer: 42 }, 'answer', /expected string/],
  [
    'NaN usage',
    {
      type: 'model.called',
      purpose: 'plan',
      model: 'm',
      usage: { inputTokens: Number.NaN, outputTokens: 1 },
      durationMs: 1,
    },
    'usage.inputTokens',
    /is NaN; expected JSON-storable values/,
  ],
  [
    'an infinite cost',
    {
      type: 'model.called',
      purpose: 'plan',
      model: 'm',
      usage: { inputTokens: 1, outputTokens: 1 },
      durationMs: 1,
      costUsd: Number.POSITIVE_INFINITY,
    },
    'costUsd',
    /Infinity/,
  ],
  [
    'a number as the question',
    { type: 'task.clarification_requested', taskId: 't', question: 42 },
    'question',
    /string/,
  ],
  [
    'a Date in a tool output',
    { type: 'task.completed', taskId: 't', durationMs: 1, output: { at: new Date(0) } },
    'output.at',
    /is a Date/,
  ],
  [
    'a bigint deep in an output',
    { type: 'task.completed', taskId: 't', durationMs: 1, output: { rows: [{ n: 1n }] } },
    'output.rows.0.n',
    /bigint/,
  ],
  [
    'a hole in an array',
    { type: 'task.completed', taskId: 't', durationMs: 1, output: [1, undefined, 3] },
    'output.1',
    /undefined/,
  ],
  ['a cycle', { type: 'task.completed', taskId: 't', durationMs: 1, output: cyclic }, 'output', /refers to itself/],
  ['a Map', { type: 'task.completed', taskId: 't', durationMs: 1, output: new Map([['a', 1]]) }, 'output', /is a Map/],
  ['a function', { type: 'task.completed', taskId: 't', durationMs: 1, output: () => 1 }, 'output', /function/],
  ['an unknown type', { type: 'task.exploded', taskId: 't' }, 'type', /./],
  ['a missing field', { type: 'task.started', taskId: 't' }, 'attempt', /number/],
];

describe('checkEvents', () => {
  it.each(junk)('refuses %s, naming the event type and the field', (_what, payload, path, problem) => {
    const event = draftEvent('r1', payload);
    let thrown: unknown;
    try {
      checkEvents([event]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(EventInvalidError);
    const error = thrown as EventInvalidError;
    expect(error).toMatchObject({ code: 'EVENT_INVALID', eventType: payload.type });
    expect(error.path.startsWith(path)).toBe(true);
    expect(error.message).toContain(`a ${String(payload.type)} event`);
    expect(error.message).toMatch(problem);
  });

  it('accepts valid events, undefined properties (stored as absent) and unicode of every kind', () => {
    expect(() =>
      checkEvents([
        draftEvent('r1'),
        draftEvent('r1', {
          type: 'task.completed',
          taskId: 't',
          durationMs: 0,
          output: { text: 'snow ☃ \u{1f600} lone \ud800', none: null, gone: undefined, nested: [[{}], []] },
          redactions: undefined,
        }),
      ]),
    ).not.toThrow();
  });
});

const logs: [string, () => EventLog][] = [
  ['memoryLog', () => memoryLog()],
  ['sqliteLog', () => sqliteLog(tmp.file(), { onNotice: () => {} })],
];

describe.each(logs)('%s append', (_name, open) => {
  it('refuses a batch holding one invalid event, writes none of it, and consumes no seq', async () => {
    const log = open();
    const good = draftEvent('r1');
    const bad = draftEvent('r1', { type: 'run.completed', answer: { text: 'not a string' } });
    await expect(log.append([good, bad as UnsequencedEvent])).rejects.toBeInstanceOf(EventInvalidError);
    expect(await log.read('r1')).toEqual([]);
    expect(await log.runs()).toEqual([]);
    const [stored] = await log.append([good]);
    expect(stored?.seq).toBe(0);
    await log.close();
  });
});
