import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { troupeEventSchema } from '../../src/events/schemas.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import type { Model, ModelReply, ModelRequest } from '../../src/model/Model.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { tempDir } from '../helpers/tempLog.js';
import { fastRetry, nextEvent } from './support.js';

/** Values a careless model, server or script might hand back. */
const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 1.5, '', '   ', null, undefined),
  fc.jsonValue(),
  fc.anything(),
);

const purposeArb = fc.constantFrom<ModelRequest['purpose']>('plan', 'process', 'synthesize');
const fieldArb = fc.constantFrom('reply', 'content', 'clarification', 'usage', 'costUsd', 'attempts', 'script');

const caseArb = fc.record({
  purpose: purposeArb,
  field: fieldArb,
  junk: junkArb,
  tasks: fc.integer({ min: 1, max: 3 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function planOf(count: number) {
  return {
    tasks: Array.from({ length: count }, (_, i) => ({
      id: `t${i}`,
      description: `step ${i}`,
      kind: 'processing' as const,
      dependsOn: i === 0 ? [] : [`t${i - 1}`],
    })),
  };
}

/** A scripted model that answers `c.purpose` with the case's junk: from the script itself, or as one reply field. */
function junkModel(c: Case): Model {
  const plan = () => planOf(c.tasks);
  if (c.field === 'script') {
    const junk = () => c.junk as never;
    return scriptedModel({
      plan: c.purpose === 'plan' ? junk : plan,
      ...(c.purpose === 'process' ? { process: junk } : {}),
      ...(c.purpose === 'synthesize' ? { synthesize: junk } : {}),
    });
  }
  const base = scriptedModel({ plan });
  return {
    name: 'junk',
    async complete(request, options) {
      const reply = await base.complete(request, options);
      if (request.purpose !== c.purpose) return reply;
      if (c.field === 'reply') return c.junk as ModelReply;
      return { ...reply, [c.field]: c.junk } as ModelReply;
    },
  };
}

/** Runs one case to its end (a question a valid junk clarification asks is cancelled) and checks every event. */
async function runCase(c: Case, log: EventLog): Promise<string> {
  const runtime = createRuntime({ log, model: junkModel(c), retry: fastRetry, maxPlanAttempts: 2 });
  try {
    const handle = runtime.run('answer with junk');
    const asked = nextEvent(handle.events$, 'task.clarification_requested').then(
      () => handle.cancel('the junk asked a question'),
      () => undefined,
    );
    const result = await Promise.race([handle.result, asked.then(() => handle.result)]);
    expect(['completed', 'failed', 'cancelled']).toContain(result.status);
    if (result.status === 'completed') expect(typeof result.answer).toBe('string');
    for (const event of await log.read(handle.runId)) troupeEventSchema.parse(event);
    return handle.runId;
  } finally {
    await runtime.close();
  }
}

describe('junk model replies', () => {
  const dir = tempDir('troupe-junk-');
  afterAll(() => dir.remove());

  it('never record an event the log would refuse (memoryLog)', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await runCase(c, memoryLog());
      }),
      { numRuns: 120 },
    );
  });

  it('never brick a sqliteLog: the file reopens and every run reads back', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        n += 1;
        const file = dir.file(`junk-${n}.db`);
        const runId = await runCase(c, sqliteLog(file));
        const reopened = sqliteLog(file);
        try {
          const runs = await reopened.runs();
          expect(runs.map((r) => r.runId)).toEqual([runId]);
          expect((await reopened.read(runId)).length).toBeGreaterThan(0);
        } finally {
          await reopened.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    ['synthesize', 'content', 42, /`content` 42; expected a string/],
    ['process', 'clarification', '', /`clarification` ""; expected a question/],
    ['process', 'usage', { inputTokens: Number.NaN, outputTokens: 1 }, /`usage.inputTokens` NaN; expected an integer/],
    ['plan', 'costUsd', Number.POSITIVE_INFINITY, /`costUsd` Infinity; expected a finite number ≥ 0/],
  ] as const)(
    '%s replying with junk %s fails the run with MODEL_OUTPUT_INVALID naming it',
    async (purpose, field, junk, message) => {
      const log = memoryLog();
      const runtime = createRuntime({
        log,
        model: junkModel({ purpose, field, junk, tasks: 1 }),
        retry: fastRetry,
        maxPlanAttempts: 1,
      });
      const result = await runtime.run('junk').result;
      await runtime.close();
      expect(result.status).toBe('failed');
      if (result.status !== 'failed') return;
      const errors = (await log.read(result.runId)).flatMap((e) =>
        e.type === 'task.retrying' || e.type === 'plan.rejected' || e.type === 'run.failed' ? [e.error] : [],
      );
      expect(errors.some((e) => e.code === 'MODEL_OUTPUT_INVALID' && message.test(e.message))).toBe(true);
    },
  );
});
