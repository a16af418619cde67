import { describe, expect, it } from 'vitest';
import type { PlannedTask, UnsequencedEvent } from '../../src/events/types.js';
import { decide, nextStep, type PlannerCommand, readyAfter, readyTasks } from '../../src/run/decide.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState, type RunState } from '../../src/run/state.js';

const boom = { code: 'TOOL_FAILED', message: 'boom' };

/** Decides, stamps and folds a command, as a RunSession does without a log. */
function exec(state: RunState, command: PlannerCommand): UnsequencedEvent[] {
  return decide(state, command).map((draft, i) => {
    const event = {
      ...draft,
      id: `${state.events}-${i}`,
      runId: state.runId,
      ts: 0,
      correlationId: state.runId,
    } as UnsequencedEvent;
    evolve(state, event);
    return event;
  });
}

function task(id: string, dependsOn: string[] = [], kind: PlannedTask['kind'] = 'processing'): PlannedTask {
  return { id, description: `do ${id}`, kind, dependsOn };
}

/** A run that is `running` the given plan. */
function running(...tasks: PlannedTask[]): RunState {
  const state = initialRunState('r1');
  exec(state, { type: 'start', goal: 'g' });
  exec(state, { type: 'plan', attempt: 1, tasks });
  return state;
}

const report = (state: RunState, r: Extract<PlannerCommand, { type: 'executor' }>['report']) =>
  exec(state, { type: 'executor', report: r });

describe('decide: the happy path', () => {
  it('records a run from start to completion, each event caused by the one before', () => {
    const state = initialRunState('r1');
    const started = exec(state, { type: 'start', goal: 'say hi' });
    expect(started).toMatchObject([{ type: 'run.started', goal: 'say hi', causationId: null }]);
    const planned = exec(state, { type: 'plan', attempt: 1, tasks: [task('a')] });
    expect(planned[0]?.causationId).toBe(started[0]?.id);
    const taskStarted = report(state, { type: 'started', taskId: 'a', attempt: 1 });
    expect(taskStarted[0]?.causationId).toBe(planned[0]?.id);
    report(state, { type: 'completed', taskId: 'a', output: 'hi', durationMs: 1 });
    expect(nextStep(state)).toEqual({ kind: 'synthesize' });
    exec(state, { type: 'complete', answer: 'hi' });
    expect(state).toMatchObject({ status: 'completed', answer: 'hi', goal: 'say hi', events: 5 });
    expect(nextStep(state)).toEqual({ kind: 'finished' });
  });

  it('counts plan attempts through rejections', () => {
    const state = initialRunState('r1');
    exec(state, { type: 'start', goal: 'g' });
    exec(state, { type: 'reject_plan', attempt: 1, error: boom, output: 'junk' });
    expect(state).toMatchObject({ status: 'planning', planAttempts: 1 });
    exec(state, { type: 'plan', attempt: 2, tasks: [task('a')] });
    expect(state).toMatchObject({ status: 'running', planAttempts: 2 });
  });
});

describe('decide refuses commands that make no sense now', () => {
  it('starting twice (INVALID_STATE)', () => {
    const state = running(task('a'));
    expect(() => decide(state, { type: 'start', goal: 'again' })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE', message: 'Run r1: cannot start: it is already running' }),
    );
  });

  it('a plan or a rejection outside planning (INVALID_STATE)', () => {
    const pending = initialRunState('r1');
    expect(() => decide(pending, { type: 'plan', attempt: 1, tasks: [task('a')] })).toThrow(/while pending/);
    const state = running(task('a'));
    expect(() => decide(state, { type: 'reject_plan', attempt: 2, error: boom, output: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });

  it('a report or an answer for a task not in the plan (TASK_NOT_FOUND)', () => {
    const state = running(task('a'));
    const started = { type: 'executor', report: { type: 'started', taskId: 'ghost', attempt: 1 } } as const;
    expect(() => decide(state, started)).toThrow(
      expect.objectContaining({ code: 'TASK_NOT_FOUND', message: 'Run r1 has no task `ghost`' }),
    );
    expect(() => decide(state, { type: 'answer', taskId: 'ghost', answer: 'x' })).toThrow(
      expect.objectContaining({ code: 'TASK_NOT_FOUND' }),
    );
  });

  it('any report about a task that already ended (INVALID_STATE)', () => {
    const state = running(task('a'), task('b'));
    report(state, { type: 'started', taskId: 'a', attempt: 1 });
    report(state, { type: 'completed', taskId: 'a', output: 1, durationMs: 0 });
    report(state, { type: 'started', taskId: 'b', attempt: 1 });
    report(state, { type: 'failed', taskId: 'b', error: boom });
    expect(() => report(state, { type: 'failed', taskId: 'a', error: boom })).toThrow(
      /task `a` already ended completed; cannot record `failed`/,
    );
    expect(() => report(state, { type: 'completed', taskId: 'b', output: 1, durationMs: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });

  it('an answer to a task that is not waiting, or already answered (INVALID_STATE)', () => {
    const state = running(task('ask', [], 'clarification'));
    expect(() => decide(state, { type: 'answer', taskId: 'ask', answer: 'x' })).toThrow(/it is planned/);
    report(state, { type: 'started', taskId: 'ask', attempt: 1 });
    report(state, { type: 'clarify', taskId: 'ask', question: 'Which?' });
    exec(state, { type: 'answer', taskId: 'ask', answer: 'That one' });
    expect(() => decide(state, { type: 'answer', taskId: 'ask', answer: 'again' })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });

  it('completing while tasks are outstanding (INVALID_STATE)', () => {
    const state = running(task('a'));
    expect(() => decide(state, { type: 'complete', answer: 'early' })).toThrow(/tasks are still outstanding/);
    expect(() => decide(initialRunState('r1'), { type: 'complete', answer: 'x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });

  it('leaves the state untouched when it throws', () => {
    const state = running(task('a'));
    const before = structuredClone(state);
    expect(() => decide(state, { type: 'start', goal: 'again' })).toThrow();
    expect(state).toEqual(before);
  });
});

describe('decide after a run ended', () => {
  it('records nothing more for fail, cancel or continue', () => {
    const state = running(task('a'));
    exec(state, { type: 'cancel', reason: 'stop' });
    expect(state.status).toBe('cancelled');
    expect(decide(state, { type: 'fail', error: boom })).toEqual([]);
    expect(decide(state, { type: 'cancel', reason: 'again' })).toEqual([]);
    expect(decide(state, { type: 'continue' })).toEqual([]);
  });
});

describe('nextStep', () => {
  it('waits while planning and while tasks are outstanding', () => {
    const planning = initialRunState('r1');
    exec(planning, { type: 'start', goal: 'g' });
    expect(nextStep(planning)).toEqual({ kind: 'wait' });
    expect(nextStep(running(task('a')))).toEqual({ kind: 'wait' });
  });

  it('waits for running tasks after a failure, then fails with the first failed task', () => {
    const state = running(task('a'), task('b'));
    report(state, { type: 'started', taskId: 'a', attempt: 1 });
    report(state, { type: 'started', taskId: 'b', attempt: 1 });
    report(state, { type: 'failed', taskId: 'a', error: boom });
    expect(nextStep(state)).toEqual({ kind: 'wait' });
    expect(decide(state, { type: 'continue' })).toEqual([]);
    report(state, { type: 'completed', taskId: 'b', output: 1, durationMs: 0 });
    const error = { code: 'TOOL_FAILED', message: 'Task `a` failed: boom' };
    expect(nextStep(state)).toEqual({ kind: 'fail', error });
    expect(exec(state, { type: 'continue' })).toMatchObject([{ type: 'run.failed', error }]);
    expect(state.status).toBe('failed');
  });
});

describe('readyTasks and readyAfter', () => {
  it('finds tasks with every dependency completed, tasks cut off mid-run, and answered clarifications', () => {
    const state = running(
      task('a'),
      task('b', ['a']),
      task('c', ['a', 'b']),
      task('ask', [], 'clarification'),
      task('d'),
    );
    expect(readyTasks(state)).toEqual(['a', 'ask', 'd']);
    report(state, { type: 'started', taskId: 'a', attempt: 1 });
    report(state, { type: 'started', taskId: 'ask', attempt: 1 });
    report(state, { type: 'clarify', taskId: 'ask', question: '?' });
    expect(readyTasks(state)).toEqual(['a', 'd']);
    const [completed] = report(state, { type: 'completed', taskId: 'a', output: 1, durationMs: 0 });
    expect(readyAfter(state, completed as UnsequencedEvent)).toEqual(['b']);
    const [answered] = exec(state, { type: 'answer', taskId: 'ask', answer: 'yes' });
    expect(readyAfter(state, answered as UnsequencedEvent)).toEqual(['ask']);
    expect(readyTasks(state)).toEqual(['b', 'ask', 'd']);
    expect(state.tasks.get('c')?.unmet).toBe(1);
  });

  it('counts tasks by status as they move', () => {
    const state = running(task('a'), task('b'));
    report(state, { type: 'started', taskId: 'a', attempt: 1 });
    report(state, { type: 'retrying', taskId: 'a', attempt: 1, delayMs: 1, error: boom });
    report(state, { type: 'started', taskId: 'a', attempt: 2 });
    expect(state.counts).toMatchObject({ planned: 1, running: 1, completed: 0, needs_clarification: 0, failed: 0 });
    expect(state.tasks.get('a')).toMatchObject({ attempts: 2, error: boom });
  });
});

describe('evolve', () => {
  it('ignores events of other runs and of unknown tasks', () => {
    const state = running(task('a'));
    const before = structuredClone(state);
    evolve(state, {
      type: 'run.cancelled',
      reason: 'x',
      id: 'o',
      runId: 'other',
      ts: 0,
      correlationId: 'other',
      causationId: null,
    });
    expect(state).toEqual(before);
    evolve(state, {
      type: 'task.failed',
      taskId: 'ghost',
      error: boom,
      id: 'g',
      runId: 'r1',
      ts: 0,
      correlationId: 'r1',
      causationId: null,
    });
    expect(state.counts).toEqual(before.counts);
  });
});
