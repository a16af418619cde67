import { describe, expect, it } from 'vitest';
import type { PlannedTask, UnsequencedEvent } from '../../src/events/types.js';
import { decide, nextStep, type PlannerCommand, readyTasks } from '../../src/run/decide.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState, type RunPolicy, type RunState } from '../../src/run/state.js';

function exec(state: RunState, command: PlannerCommand): UnsequencedEvent[] {
  return decide(state, command).map((draft, i) => {
    const event = { ...draft, id: `${state.events}-${i}`, runId: state.runId, ts: 0, correlationId: state.runId };
    evolve(state, event as UnsequencedEvent);
    return event as UnsequencedEvent;
  });
}

function task(id: string, dependsOn: string[] = []): PlannedTask {
  return { id, description: `do ${id}`, kind: 'processing', dependsOn };
}

function running(policy: RunPolicy, log: UnsequencedEvent[] = []): RunState {
  const state = initialRunState('r1');
  log.push(...exec(state, { type: 'start', goal: 'g', policy }));
  log.push(...exec(state, { type: 'plan', attempt: 1, tasks: [task('research'), task('draft', ['research'])] }));
  return state;
}

/** The step's start and its completion that asks for a revision. */
function ask(state: RunState, taskId: string, reason: string): UnsequencedEvent[] {
  return [
    ...exec(state, { type: 'executor', report: { type: 'started', taskId, attempt: 1 } }),
    ...exec(state, {
      type: 'executor',
      report: { type: 'completed', taskId, output: reason, durationMs: 1, revisePlan: reason },
    }),
  ];
}

const reason = 'no trend data for today';

describe('a step that asks for the plan to be revised', () => {
  it('records its completion and the request in one batch, then asks for a revision once no task runs', () => {
    const state = running({ onTaskFailure: 'fail-run', maxReplans: 1 });
    const events = ask(state, 'research', reason);
    expect(events.map((e) => e.type)).toEqual(['task.started', 'task.completed', 'plan.revision_requested']);
    expect(events[2]).toMatchObject({ taskId: 'research', reason });
    expect(state.tasks.get('research')).toMatchObject({ status: 'completed', output: reason });
    expect(nextStep(state)).toEqual({
      kind: 'replan',
      reason: 'Task `research` asked for the plan to be revised: no trend data for today',
    });
    // The dependent it released waits for the revision: the executor holds dispatches while a request is open.
    expect(readyTasks(state)).toEqual(['draft']);
    expect(state.revisionRequests).toEqual([{ taskId: 'research', reason }]);
  });

  it('a revision answers every open request; the revised plan runs and the run synthesises', () => {
    const state = running({ onTaskFailure: 'continue', maxReplans: 2 });
    ask(state, 'research', reason);
    const [revised] = exec(state, {
      type: 'revise',
      reason: 'Task `research` asked for the plan to be revised: no trend data for today',
      tasks: [task('archive'), task('draft', ['archive'])],
      dropped: [],
    });
    expect(revised).toMatchObject({ type: 'plan.revised', revision: 1 });
    expect(state.revisionRequests).toEqual([]);
    expect(state.revisions).toBe(1);
    expect(readyTasks(state)).toEqual(['archive']);
    expect(nextStep(state)).toEqual({ kind: 'wait' });
    for (const id of ['archive', 'draft']) {
      exec(state, { type: 'executor', report: { type: 'started', taskId: id, attempt: 1 } });
      exec(state, { type: 'executor', report: { type: 'completed', taskId: id, output: id, durationMs: 1 } });
    }
    expect(nextStep(state)).toEqual({ kind: 'synthesize' });
  });

  it('joins failures under replan and requests into one reason', () => {
    const state = running({ onTaskFailure: 'replan', maxReplans: 1 });
    ask(state, 'research', reason);
    exec(state, { type: 'executor', report: { type: 'started', taskId: 'draft', attempt: 1 } });
    exec(state, { type: 'executor', report: { type: 'failed', taskId: 'draft', error: { code: 'X', message: 'y' } } });
    expect(nextStep(state)).toEqual({
      kind: 'replan',
      reason: 'Task `draft` failed: X: y; Task `research` asked for the plan to be revised: no trend data for today',
    });
  });

  it('under fail-run, a failure wins over a request: the run fails', () => {
    const state = running({ onTaskFailure: 'fail-run', maxReplans: 2 });
    ask(state, 'research', reason);
    exec(state, { type: 'executor', report: { type: 'started', taskId: 'draft', attempt: 1 } });
    exec(state, { type: 'executor', report: { type: 'failed', taskId: 'draft', error: { code: 'X', message: 'y' } } });
    expect(nextStep(state)).toEqual({ kind: 'fail', error: { code: 'X', message: 'Task `draft` failed: y' } });
  });

  it('fails the run, naming the step, when a log holds a request with no revision left', () => {
    const state = running({ onTaskFailure: 'fail-run', maxReplans: 0 });
    ask(state, 'research', reason);
    expect(nextStep(state)).toEqual({
      kind: 'fail',
      error: {
        code: 'INVALID_STATE',
        message: 'Task `research` asked for a plan revision, but none is left (maxReplans 0)',
      },
    });
  });

  it('folds on replay exactly as live, open request and revision alike', () => {
    const log: UnsequencedEvent[] = [];
    const state = running({ onTaskFailure: 'fail-run', maxReplans: 2 }, log);
    log.push(...ask(state, 'research', reason));
    const midway = log.reduce(evolve, initialRunState('r1'));
    expect(midway).toEqual(state);
    log.push(...exec(state, { type: 'revise', reason: 'r', tasks: [task('alt')], dropped: ['draft'] }));
    expect(log.reduce(evolve, initialRunState('r1'))).toEqual(state);
  });
});
