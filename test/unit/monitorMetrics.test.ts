import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { startMonitor } from '../../actors/monitor.js';
import type { TroupeEvent } from '../../src/events/types.js';
import { bucketBoundsSeconds, LatencyHistogram } from '../../src/monitor/histogram.js';
import { MetricsRecorder } from '../../src/monitor/MetricsRecorder.js';
import { RateWindow } from '../../src/monitor/RateWindow.js';

let seq = 0;
/** An event with its envelope filled in; fields the schema does not know pass through as they are. */
function ev(type: string, fields: Record<string, unknown> = {}, runId = 'r1'): TroupeEvent {
  seq += 1;
  return {
    seq,
    id: `e${seq}`,
    runId,
    ts: 1_000_000,
    correlationId: runId,
    causationId: null,
    type,
    ...fields,
  } as unknown as TroupeEvent;
}

const twoTasks = [
  ev('run.started', { goal: 'g' }),
  ev('plan.created', {
    attempt: 1,
    tasks: [
      { id: 'a', description: 'a', kind: 'tool_call', tool: 'search', dependsOn: [] },
      { id: 'b', description: 'b', kind: 'processing', dependsOn: ['a'] },
    ],
  }),
];

describe('MetricsRecorder', () => {
  it('counts queued and running tasks, utilisation, latency by kind and tool, and completions per second', () => {
    const m = new MetricsRecorder({ concurrency: 4 });
    for (const e of twoTasks) m.fold(e);
    expect(m.snapshot().tasks).toMatchObject({ planned: 2, queued: 2, running: 0 });
    m.fold(ev('task.started', { taskId: 'a', attempt: 1, ts: 1_000_000 }));
    expect(m.snapshot().tasks).toMatchObject({ queued: 1, running: 1 });
    expect(m.snapshot().executor).toEqual({ concurrency: 4, running: 1, utilisation: 0.25 });
    m.fold(ev('task.completed', { taskId: 'a', output: 1, durationMs: 12, ts: 1_000_500 }));
    m.fold(ev('task.started', { taskId: 'b', attempt: 1 }));
    m.fold(ev('task.completed', { taskId: 'b', output: 2, durationMs: 40, ts: 1_001_000 }));
    const s = m.snapshot(1_001_000);
    expect(s.tasks).toMatchObject({ queued: 0, running: 0, completed: 2, perSecond: 0.2 });
    expect(s.latency.byTool.search).toMatchObject({ count: 1, p50: 12, p99: 12 });
    expect(s.latency.byKind.processing).toMatchObject({ count: 1, p50: 40 });
    expect(Object.keys(s.latency.byKind).sort()).toEqual(['processing', 'tool_call']);
  });

  it('counts retries and errors by code, and failure rates', () => {
    const m = new MetricsRecorder();
    for (const e of twoTasks) m.fold(e);
    const timeout = { code: 'TOOL_TIMEOUT', message: 'slow' };
    m.fold(ev('task.started', { taskId: 'a', attempt: 1 }));
    m.fold(ev('task.retrying', { taskId: 'a', attempt: 1, delayMs: 10, error: timeout }));
    m.fold(ev('task.started', { taskId: 'a', attempt: 2 }));
    m.fold(ev('task.failed', { taskId: 'a', error: timeout }));
    m.fold(ev('run.failed', { error: { code: 'TOOL_TIMEOUT', message: 'a failed' } }));
    const s = m.snapshot();
    expect(s.tasks).toMatchObject({ retries: 1, failed: 1, queued: 0, running: 0 });
    expect(s.errors.byCode).toEqual({ TOOL_TIMEOUT: 3 });
    expect(s.errors.taskFailureRate).toBe(1);
    expect(s.errors.attemptErrorRate).toBe(1);
    expect(s.runs).toMatchObject({ started: 1, active: 0, failed: 1 });
  });

  it('forgets a finished run’s tasks: queue and running drop to zero when a run is cancelled mid-way', () => {
    const m = new MetricsRecorder({ concurrency: 2 });
    for (const e of twoTasks) m.fold(e);
    m.fold(ev('task.started', { taskId: 'a', attempt: 1 }));
    m.fold(ev('run.cancelled', { reason: 'bye' }));
    expect(m.snapshot().tasks).toMatchObject({ queued: 0, running: 0 });
    expect(m.snapshot().executor.utilisation).toBe(0);
  });

  it('reads tokens, cost, circuits, reviews and clarifications, and counts unknown event types', () => {
    const m = new MetricsRecorder();
    m.fold(
      ev('model.called', {
        purpose: 'plan',
        model: 'm',
        usage: { inputTokens: 10, outputTokens: 5 },
        durationMs: 30,
        costUsd: 0.002,
      }),
    );
    m.fold(ev('circuit.opened', { circuit: 'search', target: 'tool', failures: 5 }));
    m.fold(ev('circuit.half_opened', { circuit: 'search', target: 'tool' }));
    m.fold(ev('circuit.closed', { tool: 'mail' }));
    m.fold(ev('circuit.changed', { name: 'db', state: 'open' }));
    m.fold(ev('review.requested', { taskId: 'a', reviewId: 'rv1' }));
    m.fold(ev('review.requested', { taskId: 'b', reviewId: 'rv2' }));
    m.fold(ev('review.decided', { taskId: 'a', reviewId: 'rv1', decision: 'approved' }));
    m.fold(ev('task.clarification_requested', { taskId: 'c', question: '?' }));
    m.fold(ev('something.new', { costUsd: 0.5, error: { code: 'NEW_CODE', message: '' } }));
    const s = m.snapshot();
    expect(s.model).toMatchObject({ calls: 1, inputTokens: 10, outputTokens: 5 });
    expect(s.model.latencyByPurpose.plan?.p50).toBe(30);
    expect(s.cost.totalUsd).toBeCloseTo(0.502);
    expect(s.cost.byType).toEqual({ 'model.called': 0.002, 'something.new': 0.5 });
    expect(s.circuits).toEqual({ search: 'half_open', mail: 'closed', db: 'open' });
    expect(s.reviews).toEqual({ requested: 2, pending: 1, approved: 1, rejected: 0 });
    expect(s.clarifications).toEqual({ requested: 1, pending: 1, answered: 0 });
    expect(s.events.byType['something.new']).toBe(1);
    expect(s.errors.byCode.NEW_CODE).toBe(1);
  });

  it('survives events about tasks and runs it never saw planned (a Monitor started mid-run)', () => {
    const m = new MetricsRecorder({ concurrency: 1 });
    m.fold(ev('task.started', { taskId: 'x', attempt: 3 }, 'late'));
    m.fold(ev('task.completed', { taskId: 'x', output: null, durationMs: 5 }, 'late'));
    m.fold(ev('task.failed', { taskId: 'y', error: { code: 'TOOL_FAILED', message: '' } }, 'late'));
    m.fold(ev('run.completed', { answer: '' }, 'late'));
    const s = m.snapshot();
    expect(s.tasks).toMatchObject({ queued: 0, running: 0, completed: 1, failed: 1 });
    expect(s.latency.byKind.unknown?.count).toBe(1);
    expect(s.runs.active).toBe(0);
  });

  it('keeps the queue and running counts non-negative and consistent under any interleaving (property)', () => {
    const step = fc.constantFrom('start', 'complete', 'fail', 'clarify', 'answer');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), step), { maxLength: 60 }), (steps) => {
        const m = new MetricsRecorder({ concurrency: 5 });
        m.fold(ev('run.started', { goal: 'g' }, 'p'));
        const tasks = [0, 1, 2, 3, 4].map((i) => ({
          id: `t${i}`,
          description: 'd',
          kind: 'processing',
          dependsOn: [],
        }));
        m.fold(ev('plan.created', { attempt: 1, tasks }, 'p'));
        for (const [i, what] of steps) {
          const taskId = `t${i}`;
          if (what === 'start') m.fold(ev('task.started', { taskId, attempt: 1 }, 'p'));
          if (what === 'complete') m.fold(ev('task.completed', { taskId, output: 1, durationMs: 1 }, 'p'));
          if (what === 'fail') m.fold(ev('task.failed', { taskId, error: { code: 'X', message: '' } }, 'p'));
          if (what === 'clarify') m.fold(ev('task.clarification_requested', { taskId, question: '?' }, 'p'));
          if (what === 'answer') m.fold(ev('task.answered', { taskId, answer: 'a' }, 'p'));
          const t = m.snapshot().tasks;
          expect(t.queued).toBeGreaterThanOrEqual(0);
          expect(t.running).toBeGreaterThanOrEqual(0);
          expect(t.queued + t.running).toBeLessThanOrEqual(5);
        }
        m.fold(ev('run.completed', { answer: '' }, 'p'));
        expect(m.snapshot().tasks).toMatchObject({ queued: 0, running: 0 });
      }),
    );
  });
});

describe('what waits for a human', () => {
  it('stops counting a question once its task failed, or its run ended, as the board does', () => {
    const m = new MetricsRecorder();
    m.fold(ev('run.started', { goal: 'g' }, 'q1'));
    m.fold(
      ev(
        'plan.created',
        {
          attempt: 1,
          tasks: ['ask', 'ask2'].map((id) => ({ id, description: id, kind: 'clarification', dependsOn: [] })),
        },
        'q1',
      ),
    );
    m.fold(ev('task.clarification_requested', { taskId: 'ask', question: 'who?' }, 'q1'));
    m.fold(ev('task.clarification_requested', { taskId: 'ask2', question: 'when?' }, 'q1'));
    expect(m.snapshot().clarifications.pending).toBe(2);
    m.fold(ev('task.failed', { taskId: 'ask', error: { code: 'TOOL_TIMEOUT', message: 'x' } }, 'q1'));
    expect(m.snapshot().clarifications.pending).toBe(1);
    m.fold(ev('run.cancelled', { reason: 'stop' }, 'q1'));
    expect(m.snapshot().clarifications).toEqual({ requested: 2, pending: 0, answered: 0 });
  });

  it('counts a review as pending until it is decided or its run ended', () => {
    const m = new MetricsRecorder();
    m.fold(ev('run.started', { goal: 'g' }, 'v1'));
    m.fold(ev('review.requested', { taskId: 'a', reviewId: 'r1', score: 0.8 }, 'v1'));
    m.fold(ev('review.requested', { taskId: 'b', reviewId: 'r2', score: 0.8 }, 'v1'));
    m.fold(ev('review.decided', { taskId: 'a', reviewId: 'r1', decision: 'approved' }, 'v1'));
    expect(m.snapshot().reviews).toMatchObject({ pending: 1, approved: 1 });
    m.fold(ev('run.failed', { error: { code: 'TOOL_FAILED', message: 'x' } }, 'v1'));
    expect(m.snapshot().reviews.pending).toBe(0);
  });
});

describe('LatencyHistogram', () => {
  it('gives percentiles within 5% of the exact ones (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.05, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.95, 0.99),
        (samples, q) => {
          const h = new LatencyHistogram();
          for (const s of samples) h.record(s);
          const sorted = [...samples].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
          const got = h.quantile(q);
          expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.0501);
        },
      ),
    );
  });

  it('counts samples at or below each exposed bound exactly, cumulatively (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 4e5, noNaN: true }), fc.constantFrom(1, 5, 1000, 300_000)), {
          maxLength: 200,
        }),
        (samples) => {
          const h = new LatencyHistogram();
          for (const s of samples) h.record(s);
          const expected = bucketBoundsSeconds.map((le) => samples.filter((s) => s <= le * 1000).length);
          expect(h.summary().buckets).toEqual(expected);
        },
      ),
    );
  });

  it('treats negative, NaN and infinite samples as zero and reports an empty histogram as zeros', () => {
    const h = new LatencyHistogram();
    const buckets = bucketBoundsSeconds.map(() => 0);
    expect(h.summary()).toEqual({ count: 0, sumMs: 0, minMs: 0, maxMs: 0, p50: 0, p95: 0, p99: 0, buckets });
    h.record(-5);
    h.record(Number.NaN);
    h.record(Number.POSITIVE_INFINITY);
    expect(h.summary()).toMatchObject({ count: 3, sumMs: 0, p99: 0 });
  });
});

describe('RateWindow', () => {
  it('averages over the window ending at now and forgets seconds that fell out of it', () => {
    const w = new RateWindow();
    for (let i = 0; i < 10; i++) w.record(5_000 + i * 100);
    expect(w.perSecond(5_999, 10)).toBe(1);
    expect(w.perSecond(15_000, 10)).toBe(0);
    w.record(65_000);
    expect(w.perSecond(65_000, 1)).toBe(1);
  });
});

describe('Monitor actor', () => {
  it('folds the stream in batches, goes Blind when the stream fails, and Stopped on stop', () => {
    const events$ = new Subject<TroupeEvent>();
    const monitor = startMonitor({ events$, concurrency: 2 });
    for (const e of twoTasks) events$.next(e);
    expect(monitor.metrics().tasks.planned).toBe(2);
    expect(monitor.live()).toBe(true);
    events$.error(new Error('log gone'));
    expect(monitor.live()).toBe(false);
    expect(monitor.actor.getSnapshot().value).toBe('Blind');
    expect(monitor.actor.getSnapshot().context.error).toEqual({ code: 'UNKNOWN', message: 'log gone' });
    expect(monitor.metrics().live).toBe(false);
    monitor.stop();
    expect(monitor.actor.getSnapshot().value).toBe('Stopped');
  });

  it('stops watching when the stream ends', () => {
    const events$ = new Subject<TroupeEvent>();
    const monitor = startMonitor({ events$ });
    events$.complete();
    expect(monitor.actor.getSnapshot().value).toBe('Stopped');
    monitor.stop();
    expect(events$.observed).toBe(false);
  });
});
