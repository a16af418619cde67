import { describe, expect, it } from 'vitest';
import type { PlannedTask, UnsequencedEvent } from '../../src/events/types.js';
import { decide, nextStep, type PlannerCommand, readyTasks } from '../../src/run/decide.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState, type RunPolicy, type RunState } from '../../src/run/state.js';

const boom = { code: 'TOOL_FAILED', message: 'boom' };

function exec(state: RunState, command: PlannerCommand): UnsequencedEvent[] {
  return decide(state, command).map((draft, i) => {
    const event = { ...draft, id: `${state.events}-${i}`, runId: state.runId, ts: 0, correlationId: state.runId };
    evolve(state, event as UnsequencedEvent);
    return event as UnsequencedEvent;
  });
}

function task(id: string, dependsOn: string[] = [], extra: Partial<PlannedTask> = {}): PlannedTask {
  return { id, description: `do ${id}`, kind: 'processing', dependsOn, ...extra };
}

function running(policy: RunPolicy, ...tasks: PlannedTask[]): RunState {
  const state = initialRunState('r1');
  exec(state, { type: 'start', goal: 'g', policy });
  exec(state, { type: 'plan', attempt: 1, tasks });
  return state;
}

const fail = (state: RunState, taskId: string) => {
  exec(state, { type: 'executor', report: { type: 'started', taskId, attempt: 1 } });
  return exec(state, { type: 'executor', report: { type: 'failed', taskId, error: boom } });
};
const succeed = (state: RunState, taskId: string) => {
  exec(state, { type: 'executor', report: { type: 'started', taskId, attempt: 1 } });
  exec(state, { type: 'executor', report: { type: 'completed', taskId, output: `${taskId}!`, durationMs: 1 } });
};

// research → draft → post, and an independent `other`.
const chain = [task('research'), task('draft', ['research']), task('post', ['draft']), task('other')];

describe('onTaskFailure: continue', () => {
  it('skips every dependent of a failed task, naming it, and completes with what is left', () => {
    const state = running({ onTaskFailure: 'continue', maxReplans: 2 }, ...chain);
    const events = fail(state, 'research');
    expect(events.map((e) => [e.type, 'taskId' in e ? e.taskId : '', 'dependency' in e ? e.dependency : ''])).toEqual([
      ['task.failed', 'research', ''],
      ['task.skipped', 'draft', 'research'],
      ['task.skipped', 'post', 'research'],
    ]);
    expect(state.counts).toMatchObject({ failed: 1, skipped: 2, planned: 1 });
    expect(nextStep(state)).toEqual({ kind: 'wait' });
    expect(readyTasks(state)).toEqual(['other']);
    succeed(state, 'other');
    expect(nextStep(state)).toEqual({ kind: 'synthesize' });
  });

  it('fails the run when nothing completed, naming every failure', () => {
    const state = running({ onTaskFailure: 'continue', maxReplans: 2 }, task('a'), task('b'));
    fail(state, 'a');
    fail(state, 'b');
    expect(nextStep(state)).toEqual({
      kind: 'fail',
      error: {
        code: 'TOOL_FAILED',
        message: 'No task completed, so the run has no result: Task `a` failed: boom; Task `b` failed: boom',
      },
    });
  });

  it('refuses an executor report for a skipped task', () => {
    const state = running({ onTaskFailure: 'continue', maxReplans: 2 }, ...chain);
    fail(state, 'research');
    expect(() => exec(state, { type: 'executor', report: { type: 'started', taskId: 'draft', attempt: 1 } })).toThrow(
      /already ended skipped/,
    );
  });
});

describe('onTaskFailure: fail-run, and optional tasks', () => {
  it('fails the run once nothing runs, skipping nothing', () => {
    const state = running({ onTaskFailure: 'fail-run', maxReplans: 2 }, ...chain);
    expect(fail(state, 'research').map((e) => e.type)).toEqual(['task.failed']);
    expect(nextStep(state)).toEqual({
      kind: 'fail',
      error: { code: 'TOOL_FAILED', message: 'Task `research` failed: boom' },
    });
  });

  it('goes on past an optional task whatever the policy', () => {
    const state = running(
      { onTaskFailure: 'fail-run', maxReplans: 2 },
      task('extra', [], { optional: true }),
      task('use', ['extra']),
      task('main'),
    );
    expect(fail(state, 'extra').map((e) => e.type)).toEqual(['task.failed', 'task.skipped']);
    succeed(state, 'main');
    expect(nextStep(state)).toEqual({ kind: 'synthesize' });
  });
});

describe('onTaskFailure: replan', () => {
  it('asks for a revision, which replaces and adds tasks, keeps completed results and rebuilds dependencies', () => {
    const state = running({ onTaskFailure: 'replan', maxReplans: 1 }, ...chain);
    succeed(state, 'other');
    fail(state, 'research');
    expect(nextStep(state)).toEqual({ kind: 'replan', reason: 'Task `research` failed: TOOL_FAILED: boom' });
    const [revised] = exec(state, {
      type: 'revise',
      reason: 'research failed',
      tasks: [task('research2'), task('draft', ['research2', 'other'])],
      dropped: [],
    });
    expect(revised).toMatchObject({ type: 'plan.revised', revision: 1, reason: 'research failed' });
    expect([...state.tasks.keys()]).toEqual(['research', 'draft', 'post', 'other', 'research2']);
    expect(state.tasks.get('other')?.output).toBe('other!');
    expect(state.tasks.get('draft')).toMatchObject({ dependsOn: ['research2', 'other'], unmet: 1 });
    expect(state.tasks.get('research2')?.dependents).toEqual(['draft']);
    expect(readyTasks(state)).toEqual(['research2']);
    expect(nextStep(state)).toEqual({ kind: 'wait' });
    succeed(state, 'research2');
    succeed(state, 'draft');
    succeed(state, 'post');
    expect(nextStep(state)).toEqual({ kind: 'synthesize' });
  });

  it('drops not-started tasks and fails once no revision is left', () => {
    const state = running({ onTaskFailure: 'replan', maxReplans: 1 }, ...chain);
    fail(state, 'research');
    exec(state, { type: 'revise', reason: 'r', tasks: [task('alt')], dropped: ['draft', 'post'] });
    expect([...state.tasks.keys()]).toEqual(['research', 'other', 'alt']);
    expect(state.counts.planned).toBe(2);
    fail(state, 'alt');
    expect(nextStep(state)).toEqual({
      kind: 'fail',
      error: { code: 'TOOL_FAILED', message: 'Task `alt` failed: boom (no revision left: maxReplans 1)' },
    });
  });

  it('folds a revision on replay exactly as live', () => {
    const state = running({ onTaskFailure: 'replan', maxReplans: 2 }, ...chain);
    const events: UnsequencedEvent[] = [];
    const record = (cmd: PlannerCommand) => events.push(...exec(state, cmd));
    record({ type: 'executor', report: { type: 'started', taskId: 'research', attempt: 1 } });
    record({ type: 'executor', report: { type: 'failed', taskId: 'research', error: boom } });
    record({ type: 'revise', reason: 'r', tasks: [task('alt'), task('post', ['alt'])], dropped: ['draft'] });
    const replayed = running({ onTaskFailure: 'replan', maxReplans: 2 }, ...chain);
    for (const event of events) evolve(replayed, event);
    expect(replayed).toEqual(state);
  });
});
