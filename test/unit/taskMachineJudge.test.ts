import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type ReviewDraft, type TaskMachineInput, taskMachine } from '../../machines/task.js';
import type { Judgement } from '../../src/events/types.js';

const rejectedError = { code: 'JUDGE_REJECTED', message: 'too long' };

function start(input: Partial<TaskMachineInput> = {}) {
  const recorded: [string, unknown][] = [];
  const record = (name: string) => (_: unknown, params: unknown) => {
    recorded.push([name, params]);
  };
  const machine = taskMachine.provide({
    actions: {
      recordStarted: record('started'),
      recordRetrying: record('retrying'),
      recordCompleted: record('completed'),
      recordClarification: record('clarification'),
      recordFailed: record('failed'),
      recordScored: record('scored'),
      recordReview: record('review'),
    },
  });
  const actor = createActor(machine, { input: { taskId: 't', maxRetries: 1, attempts: 0, ...input } });
  actor.start();
  return { actor, recorded, names: () => recorded.map(([name]) => name) };
}

function verdict(judgement: Judgement, review?: ReviewDraft) {
  return {
    type: 'VERDICT' as const,
    judgement,
    output: 'draft',
    durationMs: 2,
    error: rejectedError,
    delayMs: 1,
    ...(review === undefined ? {} : { review }),
  };
}

const review: ReviewDraft = {
  reviewId: 'rv-1',
  kind: 'result',
  score: 0.8,
  reasons: ['hmm'],
  output: 'draft',
  durationMs: 2,
};

describe('task statechart with a Judge', () => {
  it('goes Working → Judging → Completed on an accepted verdict, recording the score then the result', () => {
    const { actor, recorded } = start();
    actor.send({ type: 'START' });
    actor.send({ type: 'JUDGE' });
    expect(actor.getSnapshot().value).toEqual({ Running: 'Judging' });
    actor.send(verdict({ verdict: 'accepted', score: 0.9, reasons: [] }));
    expect(actor.getSnapshot().value).toBe('Completed');
    expect(recorded.slice(1)).toEqual([
      ['scored', { taskId: 't', attempt: 1, judgement: { verdict: 'accepted', score: 0.9, reasons: [] } }],
      ['completed', { taskId: 't', output: 'draft', durationMs: 2 }],
    ]);
  });

  it('retries a rejected result while retries remain, then fails', () => {
    const { actor, names } = start({ maxRetries: 1 });
    actor.send({ type: 'START' });
    actor.send({ type: 'JUDGE' });
    actor.send(verdict({ verdict: 'rejected', score: 0.2, reasons: ['too long'] }));
    expect(actor.getSnapshot().value).toEqual({ Running: 'Retrying' });
    actor.send({ type: 'RETRY' });
    actor.send({ type: 'JUDGE' });
    actor.send(verdict({ verdict: 'rejected', score: 0.2, reasons: ['too long'] }));
    expect(actor.getSnapshot().value).toBe('Failed');
    expect(names()).toEqual(['started', 'scored', 'retrying', 'started', 'scored', 'failed']);
  });

  it('waits in AwaitingReview; approval completes, rejection retries or fails', () => {
    const approved = start();
    approved.actor.send({ type: 'START' });
    approved.actor.send({ type: 'JUDGE' });
    approved.actor.send(verdict({ verdict: 'review', score: 0.8, reasons: ['hmm'] }, review));
    expect(approved.actor.getSnapshot().value).toBe('AwaitingReview');
    expect(approved.names()).toEqual(['started', 'scored', 'review']);
    const reviewed = {
      type: 'REVIEWED' as const,
      kind: 'result' as const,
      output: 'draft',
      durationMs: 2,
      error: rejectedError,
      delayMs: 1,
    };
    approved.actor.send({ ...reviewed, decision: 'approved' });
    expect(approved.actor.getSnapshot().value).toBe('Completed');

    const rejected = start({ maxRetries: 0 });
    rejected.actor.send({ type: 'START' });
    rejected.actor.send({ type: 'JUDGE' });
    rejected.actor.send(verdict({ verdict: 'review', score: 0.8, reasons: [] }, review));
    rejected.actor.send({ ...reviewed, decision: 'rejected' });
    expect(rejected.actor.getSnapshot().value).toBe('Failed');
  });

  it('holds a spend for review before the tool runs; approval returns to Running, rejection fails', () => {
    const { actor, names } = start();
    actor.send({ type: 'START' });
    actor.send({ type: 'HOLD', review: { ...review, kind: 'budget', score: null, amountUsd: 30 } });
    expect(actor.getSnapshot().value).toBe('AwaitingReview');
    const reviewed = {
      type: 'REVIEWED' as const,
      kind: 'budget' as const,
      output: undefined,
      durationMs: 0,
      error: rejectedError,
      delayMs: 0,
    };
    actor.send({ ...reviewed, decision: 'approved' });
    expect(actor.getSnapshot().value).toEqual({ Running: 'Working' });
    expect(names()).toEqual(['started', 'review', 'started']);

    const refused = start();
    refused.actor.send({ type: 'START' });
    refused.actor.send({ type: 'HOLD', review: { ...review, kind: 'budget' } });
    refused.actor.send({ ...reviewed, decision: 'rejected' });
    expect(refused.actor.getSnapshot().value).toBe('Failed');
  });

  it('restores a resumed task to AwaitingReview without recording anything, and ignores verdicts outside Judging', () => {
    const { actor, recorded } = start({ attempts: 1 });
    actor.send({ type: 'RESTORE_REVIEW' });
    expect(actor.getSnapshot().value).toBe('AwaitingReview');
    expect(recorded).toEqual([]);
    actor.send(verdict({ verdict: 'accepted', score: 1, reasons: [] }));
    expect(actor.getSnapshot().value).toBe('AwaitingReview');
    actor.send({ type: 'ABORT', error: { code: 'RUN_CANCELLED', message: 'stop' } });
    expect(actor.getSnapshot().value).toBe('Failed');
  });
});
