import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { JudgeOptions } from '../../src/judge/judge.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime, type RunHandle } from '../../src/runtime/createRuntime.js';

const noDelay = { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 0 };

/** Three independent drafts; the judge scores each by id and attempt. */
const model = scriptedModel({
  plan: () => ({
    tasks: ['good', 'bad', 'meh'].map((id) => ({ id, description: `Draft ${id}`, kind: 'processing' as const })),
  }),
  process: (task) => `draft of ${task.id}`,
});

function scoreBy(table: Record<string, number[]>): JudgeOptions {
  return { score: ({ taskId, attempt }) => table[taskId]?.[Math.min(attempt, table[taskId].length) - 1] ?? 1 };
}

function reviewRequested(handle: RunHandle) {
  return firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'review.requested')));
}

describe('Judge and review queue', () => {
  it('accepts, retries a rejected result with the reasons, and holds the middle band for review', async () => {
    const log = memoryLog();
    const runtime = createRuntime({
      model,
      log,
      retry: noDelay,
      judge: { ...scoreBy({ good: [0.9], bad: [0.3, 0.95], meh: [0.8] }) },
    });
    const handle = runtime.run('draft three posts');
    const requested = await reviewRequested(handle);
    const [review] = await runtime.reviews.list();
    expect(review).toMatchObject({
      runId: handle.runId,
      taskId: 'meh',
      kind: 'result',
      score: 0.8,
      output: 'draft of meh',
    });
    expect(review?.id).toBe((requested as { reviewId: string }).reviewId);
    expect(await runtime.reviews.approve(review?.id ?? '', 'fine by me')).toMatchObject({
      decision: 'approved',
      taskId: 'meh',
      note: 'fine by me',
    });
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([
      ['good', 'completed', 1],
      ['bad', 'completed', 2],
      ['meh', 'completed', 1],
    ]);
    const events = await log.read(handle.runId);
    const scored = events.filter((e) => e.type === 'judge.scored').map((e) => [e.taskId, e.verdict, e.score]);
    expect(scored).toEqual(
      expect.arrayContaining([
        ['good', 'accepted', 0.9],
        ['bad', 'rejected', 0.3],
        ['bad', 'accepted', 0.95],
        ['meh', 'review', 0.8],
      ]),
    );
    const retry = events.find((e) => e.type === 'task.retrying');
    expect(retry).toMatchObject({ taskId: 'bad', error: { code: 'JUDGE_REJECTED' } });
    expect(events.find((e) => e.type === 'review.decided')).toMatchObject({ taskId: 'meh', decision: 'approved' });
    expect(await runtime.reviews.list()).toEqual([]);
    await runtime.close();
  });

  it('fails a task the Judge keeps rejecting, with every attempt in the failure event', async () => {
    const log = memoryLog();
    const runtime = createRuntime({
      model,
      log,
      retry: { ...noDelay, maxRetries: 1 },
      judge: scoreBy({ good: [0.9], bad: [0.1], meh: [0.9] }),
    });
    const handle = runtime.run('draft');
    const result = await handle.result;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('JUDGE_REJECTED');
    const failed = (await log.read(handle.runId)).find((e) => e.type === 'task.failed');
    expect(failed).toMatchObject({
      taskId: 'bad',
      history: [{ code: 'JUDGE_REJECTED' }, { code: 'JUDGE_REJECTED' }],
      task: { description: 'Draft bad', kind: 'processing', attempts: 2 },
    });
    await runtime.close();
  });

  it('retries a reviewer-rejected result with the note, and the retry is judged again', async () => {
    let reviews = 0;
    const runtime = createRuntime({
      model,
      retry: noDelay,
      judge: { score: ({ taskId }) => (taskId === 'meh' && reviews++ === 0 ? 0.75 : 0.9) },
    });
    const handle = runtime.run('draft');
    const requested = (await reviewRequested(handle)) as { reviewId: string };
    await runtime.reviews.reject(requested.reviewId, 'too long');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    const state = await runtime.replay(handle.runId);
    expect(state.tasks.get('meh')).toMatchObject({ attempts: 2, feedback: 'too long' });
    await runtime.close();
  });

  it('refuses deciding twice, an unknown id, and a task that is not waiting', async () => {
    const runtime = createRuntime({ model, retry: noDelay, judge: scoreBy({ good: [0.9], bad: [0.9], meh: [0.8] }) });
    const handle = runtime.run('draft');
    const { reviewId } = (await reviewRequested(handle)) as { reviewId: string };
    await expect(runtime.reviews.approve('rv-000000000000')).rejects.toMatchObject({ code: 'REVIEW_NOT_FOUND' });
    await expect(runtime.reviews.approve('')).rejects.toMatchObject({ code: 'REVIEW_NOT_FOUND' });
    await runtime.reviews.approve(reviewId);
    await expect(runtime.reviews.reject(reviewId)).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('already decided: approved'),
    });
    await handle.result;
    await expect(runtime.reviews.approve(reviewId)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await runtime.close();
  });

  it('sends a result to review, with the error recorded, when the Judge throws', async () => {
    const log = memoryLog();
    const runtime = createRuntime({
      model,
      log,
      judge: {
        score: ({ taskId }) => {
          if (taskId === 'bad') throw new Error('judge crashed');
          return 1;
        },
      },
    });
    const handle = runtime.run('draft');
    const { reviewId } = (await reviewRequested(handle)) as { reviewId: string };
    const scored = (await log.read(handle.runId)).find((e) => e.type === 'judge.scored' && e.taskId === 'bad');
    expect(scored).toMatchObject({ verdict: 'review', score: null, error: { message: 'judge crashed' } });
    await runtime.reviews.approve(reviewId);
    expect((await handle.result).status).toBe('completed');
    await runtime.close();
  });

  it('keeps the queue across a restart: a new runtime lists, decides, and resumes the run', async () => {
    const log = memoryLog();
    const first = createRuntime({ model, log, judge: scoreBy({ good: [0.9], bad: [0.9], meh: [0.8] }) });
    const handle = first.run('draft');
    const { reviewId } = (await reviewRequested(handle)) as { reviewId: string };
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.completed' && e.taskId === 'bad')));

    // The first process is gone (never closed); a second one reads the same log.
    const second = createRuntime({ model, log, judge: scoreBy({}) });
    const listed = await second.reviews.list();
    expect(listed.map((r) => [r.id, r.taskId])).toEqual([[reviewId, 'meh']]);
    await second.reviews.approve(reviewId, 'ok after restart');
    expect(await second.reviews.list()).toEqual([]);
    const resumed = await second.resume(handle.runId);
    const result = await resumed.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.find((t) => t.id === 'meh')).toMatchObject({
      status: 'completed',
      output: 'draft of meh',
      attempts: 1,
    });
  });

  it('continues a resumed run that waits for review once it is approved through the API', async () => {
    const log = memoryLog();
    const first = createRuntime({ model, log, judge: scoreBy({ good: [0.9], bad: [0.9], meh: [0.8] }) });
    const handle = first.run('draft');
    const { reviewId } = (await reviewRequested(handle)) as { reviewId: string };
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.completed' && e.taskId === 'bad')));

    const second = createRuntime({ model, log, judge: scoreBy({}) });
    const resumed = await second.resume(handle.runId);
    await second.reviews.approve(reviewId);
    const result = await resumed.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('leaves the hot path alone without a Judge: no judge or review events', async () => {
    const log = memoryLog();
    const runtime = createRuntime({ model, log });
    const handle = runtime.run('draft');
    expect((await handle.result).status).toBe('completed');
    const types = new Set((await log.read(handle.runId)).map((e) => e.type));
    expect([...types].filter((t) => t.startsWith('judge.') || t.startsWith('review.'))).toEqual([]);
    await runtime.close();
  });
});
