import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventInvalidError } from '../../src/errors.js';
import type { TroupeEvent, UnsequencedEvent } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { tempDir } from '../helpers/tempLog.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('troupe-junk-');
});
afterEach(() => tmp.remove());

/** Valid payloads of the events a model reply or a tool output fills in. */
const templates: Record<string, unknown>[] = [
  { type: 'run.started', goal: 'post hello' },
  { type: 'run.completed', answer: 'posted' },
  { type: 'task.clarification_requested', taskId: 't1', question: 'Which platform?' },
  { type: 'task.answered', taskId: 't1', answer: 'Bluesky' },
  { type: 'task.completed', taskId: 't1', durationMs: 1.5, output: { posted: true } },
  { type: 'tool.succeeded', taskId: 't1', tool: 'post', idempotencyKey: 'k1', output: 'ok' },
  {
    type: 'model.called',
    purpose: 'synthesize',
    model: 'm',
    usage: { inputTokens: 10, outputTokens: 2 },
    durationMs: 3,
    costUsd: 0.01,
  },
  { type: 'judge.scored', taskId: 't1', attempt: 1, verdict: 'accepted', score: 0.9, reasons: ['fine'] },
  { type: 'state.committed', taskId: 't1', key: 'draft', version: 1, value: { text: 'hi' } },
];

/** Anything at all, including what JSON cannot carry: NaN, ±Infinity, -0, Dates, Maps, bigints, holes. */
const junkValue = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withTypedArray: true,
    withBoxedValues: true,
    withUnicodeString: true,
  }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 42, '', undefined, null),
  fc.string({ unit: 'binary' }),
);

/** A template, left valid or with some fields (known or new, top-level or nested) replaced by junk. */
const event = fc
  .record({
    template: fc.constantFrom(...templates),
    junk: fc.array(
      fc.tuple(
        fc.constantFrom('answer', 'question', 'goal', 'output', 'usage', 'costUsd', 'score', 'ts', 'value', 'extra'),
        junkValue,
      ),
      {
        maxLength: 2,
      },
    ),
    nested: fc.option(junkValue, { nil: undefined }),
    run: fc.constantFrom('run-a', 'run-b'),
  })
  .map(({ template, junk, nested, run }) => {
    const draft: Record<string, unknown> = {
      ...template,
      id: 'e',
      runId: run,
      ts: 1_700_000_000_000,
      correlationId: run,
      causationId: null,
    };
    for (const [field, value] of junk) draft[field] = value;
    if (nested !== undefined && typeof draft.output === 'object' && draft.output !== null) {
      draft.output = { ...(draft.output as object), deep: [nested] };
    }
    return draft as unknown as UnsequencedEvent;
  });

/** What JSON hands back for a value it carries: no negative zero, undefined properties absent. */
function asJson(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(asJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, so that a `__proto__` key stays a key, as JSON.parse makes it.
      if (item !== undefined)
        Object.defineProperty(out, key, { value: asJson(item), enumerable: true, writable: true });
    }
    return out;
  }
  return value;
}

/** Appends each batch, keeping what was acknowledged; every refusal must be an `EventInvalidError`. */
async function appendAll(log: EventLog, batches: UnsequencedEvent[][]): Promise<TroupeEvent[]> {
  const acknowledged: TroupeEvent[] = [];
  for (const batch of batches) {
    try {
      acknowledged.push(...(await log.append(batch)));
    } catch (err) {
      expect(err).toBeInstanceOf(EventInvalidError);
    }
  }
  return acknowledged;
}

async function readAll(log: EventLog): Promise<TroupeEvent[]> {
  const events = [...(await log.read('run-a')), ...(await log.read('run-b'))];
  return events.sort((a, b) => a.seq - b.seq);
}

const batches = fc.array(fc.array(event, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 });

describe('junk never bricks a log', () => {
  it('memoryLog reads back exactly what it acknowledged', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (input) => {
        const log = memoryLog();
        const acknowledged = await appendAll(log, input);
        expect(asJson(await readAll(log))).toEqual(asJson(acknowledged));
      }),
      { numRuns: 200 },
    );
  });

  it('sqliteLog always reopens, and reads back (read-only too) exactly what it acknowledged', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(batches, async (input) => {
        const file = tmp.file(`junk-${n++}.db`);
        const log = sqliteLog(file, { onNotice: () => {} });
        const acknowledged = await appendAll(log, input);
        await log.close();
        const reopened = sqliteLog(file, { onNotice: () => {} });
        expect(await readAll(reopened)).toEqual(asJson(acknowledged));
        await reopened.runs();
        await reopened.close();
        const reader = sqliteLog(file, { readOnly: true, onNotice: () => {} });
        expect(await readAll(reader)).toEqual(asJson(acknowledged));
        await reader.close();
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
