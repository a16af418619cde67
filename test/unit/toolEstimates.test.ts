import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TroupeEvent } from '../../src/events/types.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { toolEstimates } from '../../src/tools/toolEstimates.js';
import { seededRandom } from '../support/seededRandom.js';

const search = defineTool({
  name: 'search',
  description: 'search',
  input: z.object({}),
  costUsd: 0.05,
  latencyMs: 50,
  capabilities: ['search'],
  run: () => ({}),
});

const envelope = (runId: string, seq: number) => ({
  seq,
  id: `e${seq}`,
  runId,
  ts: seq,
  correlationId: runId,
  causationId: null,
});

describe('toolEstimates', () => {
  it('converges within 10% of observed cost and latency, learning from events', () => {
    const random = seededRandom(7);
    const trueLatency = 120;
    const trueCost = 0.02;
    const estimates = toolEstimates({ tools: [search] });
    const events$ = new Subject<TroupeEvent>();
    estimates.observeEvents(events$);
    expect(estimates.latencyMs(search)).toBe(50);
    const observedCosts: number[] = [];
    const observedLatencies: number[] = [];
    let seq = 0;
    for (let run = 0; run < 40; run++) {
      const runId = `run-${run}`;
      events$.next({
        ...envelope(runId, seq++),
        type: 'plan.created',
        attempt: 1,
        tasks: [{ id: 'find', description: 'find', kind: 'tool_call', dependsOn: [], tool: 'search', input: {} }],
      });
      // ±20% noise around the true values.
      const durationMs = trueLatency * (0.8 + 0.4 * random());
      const costUsd = trueCost * (0.8 + 0.4 * random());
      observedLatencies.push(durationMs);
      observedCosts.push(costUsd);
      events$.next({
        ...envelope(runId, seq++),
        type: 'task.completed',
        taskId: 'find',
        output: { costUsd },
        durationMs,
      });
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const costError = Math.abs(estimates.costUsd(search) - mean(observedCosts)) / mean(observedCosts);
    const latencyError = Math.abs(estimates.latencyMs(search) - mean(observedLatencies)) / mean(observedLatencies);
    expect(estimates.observations(search)).toBe(40);
    expect(costError).toBeLessThan(0.1);
    expect(latencyError).toBeLessThan(0.1);
    // The declared value was 2.5× off; the estimate now predicts the next call within 10%.
    expect(Math.abs(estimates.costUsd(search) - trueCost) / trueCost).toBeLessThan(0.1);
  });

  it('follows drift once past the running-mean phase', () => {
    const estimates = toolEstimates({ tools: [search], minWeight: 0.2 });
    for (let i = 0; i < 30; i++) estimates.observe('search', { latencyMs: 100 });
    for (let i = 0; i < 30; i++) estimates.observe('search', { latencyMs: 300 });
    expect(estimates.latencyMs(search)).toBeGreaterThan(290);
  });

  it('ignores failed tasks, tasks of no tool, and nonsense observations', () => {
    const estimates = toolEstimates();
    const events$ = new Subject<TroupeEvent>();
    estimates.observeEvents(events$);
    events$.next({
      ...envelope('r', 0),
      type: 'plan.created',
      attempt: 1,
      tasks: [
        { id: 'a', description: 'a', kind: 'tool_call', dependsOn: [], tool: 'search' },
        { id: 'b', description: 'b', kind: 'processing', dependsOn: [] },
      ],
    });
    events$.next({ ...envelope('r', 1), type: 'task.failed', taskId: 'a', error: { code: 'X', message: 'x' } });
    events$.next({ ...envelope('r', 2), type: 'task.completed', taskId: 'b', output: 'hi', durationMs: 5 });
    estimates.observe('search', { latencyMs: Number.NaN, costUsd: -1 });
    expect(estimates.latencyMs(search)).toBe(50);
    expect(estimates.costUsd(search)).toBe(0.05);
  });

  it('rejects a minWeight outside [0, 1]', () => {
    expect(() => toolEstimates({ minWeight: 2 })).toThrow(
      'toolEstimates: expected `minWeight` to be a number between 0 and 1, got `2`',
    );
  });
});
