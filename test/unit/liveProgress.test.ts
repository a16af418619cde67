import { describe, expect, it } from 'vitest';
import { LiveProgress } from '../../src/cli/liveProgress.js';
import type { TroupeEvent } from '../../src/events/types.js';

let seq = 0;
const ev = (type: string, ts: number, fields: Record<string, unknown> = {}) =>
  ({
    seq: seq++,
    id: `e${seq}`,
    runId: 'r',
    ts,
    correlationId: 'r',
    causationId: null,
    type,
    ...fields,
  }) as unknown as TroupeEvent;

const plan = ev('plan.created', 1_000, {
  attempt: 1,
  tasks: ['a', 'b', 'c', 'd'].map((id) => ({ id, description: id, kind: 'processing', dependsOn: [] })),
});

describe('LiveProgress', () => {
  it('shows the bar, tasks by status, rate, tokens, cost and elapsed time', () => {
    const p = new LiveProgress();
    p.update(ev('run.started', 1_000, { goal: 'g' }));
    p.update(
      ev('model.called', 1_000, {
        purpose: 'plan',
        model: 'm',
        usage: { inputTokens: 900, outputTokens: 300 },
        durationMs: 5,
        costUsd: 0.0021,
      }),
    );
    p.update(plan);
    for (const id of ['a', 'b', 'c', 'd']) p.update(ev('task.started', 1_100, { taskId: id, attempt: 1 }));
    p.update(ev('task.completed', 2_000, { taskId: 'a', output: 1, durationMs: 900 }));
    p.update(ev('task.completed', 2_000, { taskId: 'b', output: 1, durationMs: 900 }));
    p.update(ev('task.clarification_requested', 2_000, { taskId: 'c', question: '?' }));
    p.update(ev('review.requested', 2_000, { taskId: 'd', reviewId: 'rv' }));
    expect(p.render(3_500)).toBe(
      '[##########..........] running · 2/4 done · 0 running · 1 waiting for an answer · 1 in review · 0.2 tasks/s · 1.2k tokens · $0.0021 · 2.5s\x1b[K',
    );
  });

  it('stops the clock when the run ends and says how it ended', () => {
    const p = new LiveProgress();
    p.update(ev('run.started', 1_000, { goal: 'g' }));
    p.update(ev('run.failed', 4_000, { error: { code: 'PLAN_INVALID', message: 'bad' } }));
    expect(p.render(60_000)).toBe('[....................] failed · 0/0 done · 0 running · 0.0 tasks/s · 3.0s\x1b[K');
  });

  it('fits the line to the terminal width', () => {
    const p = new LiveProgress({ columns: 30 });
    p.update(ev('run.started', 1_000, { goal: 'g' }));
    p.update(plan);
    const line = p.render(1_000).replace('\x1b[K', '');
    expect(line.length).toBe(29);
    expect(line.endsWith('…')).toBe(true);
  });
});
