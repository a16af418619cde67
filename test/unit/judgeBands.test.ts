import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, ModelOutputError } from '../../src/errors.js';
import { band, createJudge } from '../../src/judge/judge.js';
import type { JudgeSubject } from '../../src/judge/judgeFn.js';
import { modelJudge, parseJudgeScore } from '../../src/judge/modelJudge.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';

const subject: JudgeSubject = {
  runId: 'r1',
  goal: 'draft posts',
  taskId: 'draft-ai',
  description: 'Draft a post about AI',
  kind: 'processing',
  tool: undefined,
  output: 'AI is here.',
  attempt: 1,
};
const signal = new AbortController().signal;

describe('band', () => {
  it('accepts at approveAt, rejects below rejectBelow, reviews in between', () => {
    expect(band(0.85, 0.85, 0.7)).toBe('accepted');
    expect(band(0.84, 0.85, 0.7)).toBe('review');
    expect(band(0.7, 0.85, 0.7)).toBe('review');
    expect(band(0.69, 0.85, 0.7)).toBe('rejected');
  });

  it('puts every score in exactly the band its thresholds say (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        for (const s of [0, low, (low + high) / 2, high, 1]) {
          const v = band(s, high, low);
          expect(v === 'accepted').toBe(s >= high);
          expect(v === 'rejected').toBe(s < low && s < high);
        }
      }),
    );
  });
});

describe('createJudge', () => {
  it('scores by function, with numbers or { score, reasons }', async () => {
    const byNumber = createJudge({ score: () => 0.9 });
    expect(await byNumber.evaluate(subject, signal)).toEqual({ verdict: 'accepted', score: 0.9, reasons: [] });
    const byObject = createJudge({ score: async () => ({ score: 0.2, reasons: ['off topic'] }) });
    expect(await byObject.evaluate(subject, signal)).toEqual({
      verdict: 'rejected',
      score: 0.2,
      reasons: ['off topic'],
    });
    const custom = createJudge({ score: () => 0.6, approveAt: 0.5, rejectBelow: 0.1 });
    expect((await custom.evaluate(subject, signal)).verdict).toBe('accepted');
  });

  it('scores by rubric with the model, validating { score, reasons }', async () => {
    const model = scriptedModel({
      judge: (task, result, request) => ({ score: 0.75, reasons: [`${task.id}:${String(result)}:${request.rubric}`] }),
    });
    const judge = createJudge({ rubric: 'on topic' }, model);
    expect(await judge.evaluate(subject, signal)).toEqual({
      verdict: 'review',
      score: 0.75,
      reasons: ['draft-ai:AI is here.:on topic'],
    });
  });

  it('sends the result to review, with the error, when the judge throws, times out or answers junk', async () => {
    const throwing = createJudge({
      score: () => {
        throw new Error('judge down');
      },
    });
    expect(await throwing.evaluate(subject, signal)).toMatchObject({
      verdict: 'review',
      score: null,
      error: { code: 'UNKNOWN', message: 'judge down' },
    });
    for (const junk of [1.5, -0.1, Number.NaN, 'great', { score: '0.9' }, null]) {
      const judge = createJudge({ score: () => junk as number });
      const judgement = await judge.evaluate(subject, signal);
      expect(judgement.verdict).toBe('review');
      expect(judgement.error?.code).toBe('JUDGE_INVALID');
      expect(judgement.error?.message).toMatch(/Expected the judge to return a score in \[0, 1\]/);
    }
    const never = createJudge({ score: () => new Promise<number>(() => {}), timeoutMs: 1 });
    expect((await never.evaluate(subject, signal)).error?.code).toBe('TOOL_TIMEOUT');
    const junkModel = createJudge({ rubric: 'r' }, scriptedModel({ judge: () => 'looks fine to me' }));
    expect((await junkModel.evaluate(subject, signal)).error?.code).toBe('MODEL_OUTPUT_INVALID');
  });

  it('rethrows when the run itself is cancelled', async () => {
    const controller = new AbortController();
    const judge = createJudge({ score: () => new Promise<number>(() => {}) });
    const judging = judge.evaluate(subject, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(judging).rejects.toThrow();
  });

  it('refuses bad options with ConfigError naming the fields', () => {
    expect(() => createJudge({})).toThrow(ConfigError);
    expect(() => createJudge({ score: () => 1, rubric: 'x' })).toThrow(/exactly one of `score`/);
    expect(() => createJudge({ score: () => 1, approveAt: 2 })).toThrow(/judge\.approveAt/);
    expect(() => createJudge({ score: () => 1, approveAt: 0.5, rejectBelow: 0.6 })).toThrow(/judge\.rejectBelow/);
    expect(() => createJudge({ rubric: 'r' })).toThrow(/judge\.model/);
  });

  it('judges every kind but clarifications unless told otherwise', () => {
    const judge = createJudge({ score: () => 1 });
    expect(judge.appliesTo({ id: 'a', kind: 'processing', tool: undefined })).toBe(true);
    expect(judge.appliesTo({ id: 'q', kind: 'clarification', tool: undefined })).toBe(false);
    const onlyDrafts = createJudge({ score: () => 1, appliesTo: (t) => t.id.startsWith('draft') });
    expect(onlyDrafts.appliesTo({ id: 'research', kind: 'processing', tool: undefined })).toBe(false);
  });
});

describe('modelJudge', () => {
  it('parses replies with zod and names what is wrong', async () => {
    expect(parseJudgeScore('{"score":0.5}')).toEqual({ score: 0.5, reasons: [] });
    expect(() => parseJudgeScore('not json')).toThrow(ModelOutputError);
    expect(() => parseJudgeScore('{"score":3}')).toThrow(/score/);
    const judge = modelJudge(scriptedModel({ judge: () => ({ score: 1, reasons: ['ok'] }) }), 'rubric');
    expect(await judge(subject, { signal })).toEqual({ score: 1, reasons: ['ok'] });
  });
});
