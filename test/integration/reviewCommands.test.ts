import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Command, parseCommandArgs } from '../../src/cli/command.js';
import { approveCommand, rejectCommand, reviewsCommand } from '../../src/cli/commands/reviews.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';

const model = scriptedModel({
  plan: () => ({
    tasks: [
      { id: 'sure', description: 'Draft a sure thing', kind: 'processing' as const },
      { id: 'unsure', description: 'Draft a doubtful one', kind: 'processing' as const },
    ],
  }),
  process: (task) => `draft ${task.id}`,
});
const judge = { score: ({ taskId }: { taskId: string }) => (taskId === 'unsure' ? 0.8 : 0.95) };

/** Runs `command` with `argv`, returning its exit code and what it printed. */
async function cli(command: Command, argv: string[]) {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    return { code: await command.run(parseCommandArgs(argv, command)), out: out.join('') };
  } finally {
    spy.mockRestore();
  }
}

/** A run left waiting for review in a log file whose process then stopped writing (as after a crash). */
async function waitingRun() {
  const file = join(await mkdtemp(join(tmpdir(), 'troupe-reviews-')), 'events.db');
  const log = sqliteLog(file);
  const runtime = createRuntime({ model, log, judge });
  const handle = runtime.run('two drafts');
  const requested = (await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'review.requested')))) as {
    reviewId: string;
  };
  await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.completed' && e.taskId === 'sure')));
  await log.close();
  return { file, runId: handle.runId, reviewId: requested.reviewId };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('troupe reviews / approve / reject', () => {
  it('lists the waiting review, approves it, and the resumed run completes', async () => {
    const { file, runId, reviewId } = await waitingRun();
    const listed = await cli(reviewsCommand, ['--log', file]);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`${reviewId}  result  run ${runId}  task unsure  (score 0.80)`);
    expect(listed.out).toContain('result: draft unsure');
    const json = await cli(reviewsCommand, ['--log', file, '--json']);
    expect(JSON.parse(json.out.trim())).toMatchObject({ id: reviewId, taskId: 'unsure' });

    const approved = await cli(approveCommand, [reviewId, '--note', 'ship it', '--log', file]);
    expect(approved.out).toContain(`approved ${reviewId}`);
    expect(approved.out).toContain(`troupe resume ${runId}`);
    expect((await cli(reviewsCommand, ['--log', file])).out).toBe('No reviews waiting.\n');

    const runtime = createRuntime({ model, log: sqliteLog(file), judge });
    const result = await (await runtime.resume(runId)).result;
    expect(result.status).toBe('completed');
    expect(result.tasks.map((t) => t.status)).toEqual(['completed', 'completed']);
    await runtime.close();
  });

  it('names the problem: unknown id, deciding twice, no id, a missing log', async () => {
    const { file, reviewId } = await waitingRun();
    await expect(cli(rejectCommand, ['rv-unknown', '--log', file])).rejects.toMatchObject({ code: 'REVIEW_NOT_FOUND' });
    await cli(rejectCommand, [reviewId, '--log', file]);
    await expect(cli(approveCommand, [reviewId, '--log', file])).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('already decided: rejected'),
    });
    await expect(cli(approveCommand, ['--log', file])).rejects.toThrow(/Expected a review id, got 0 argument/);
    await expect(cli(reviewsCommand, ['--log', join(tmpdir(), 'no-such-troupe.db')])).rejects.toThrow(/no such file/);
  });
});
