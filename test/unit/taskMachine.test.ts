import { describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { type TaskMachineInput, taskMachine } from '../../machines/task.js';

const boom = { code: 'TOOL_FAILED', message: 'boom' };
const retryable = { type: 'FAIL', error: boom, retryable: true, delayMs: 1 } as const;

/** A task actor whose `record*` actions append what they were given to `recorded`. */
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
    },
  });
  const actor = createActor(machine, { input: { taskId: 't', maxRetries: 2, attempts: 0, ...input } });
  actor.start();
  return { actor, recorded, names: () => recorded.map(([name]) => name) };
}

describe('task statechart', () => {
  it('starts in Planned and records nothing until START', () => {
    const { actor, recorded } = start();
    expect(actor.getSnapshot().value).toBe('Planned');
    expect(recorded).toEqual([]);
  });

  it('goes Planned → Running.Working → Completed, recording each step', () => {
    const { actor, recorded } = start();
    actor.send({ type: 'START' });
    expect(actor.getSnapshot().value).toEqual({ Running: 'Working' });
    actor.send({ type: 'SUCCEED', output: { ok: 1 }, durationMs: 3 });
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('Completed');
    expect(snapshot.status).toBe('done');
    expect(recorded).toEqual([
      ['started', { taskId: 't', attempt: 1 }],
      ['completed', { taskId: 't', output: { ok: 1 }, durationMs: 3 }],
    ]);
  });

  it('retries through Running.Retrying while `canRetry` holds, then fails', () => {
    const { actor, recorded, names } = start({ maxRetries: 2 });
    actor.send({ type: 'START' });
    actor.send(retryable);
    expect(actor.getSnapshot().value).toEqual({ Running: 'Retrying' });
    expect(recorded[1]).toEqual(['retrying', { taskId: 't', attempt: 1, error: boom, delayMs: 1 }]);
    actor.send({ type: 'RETRY' });
    expect(actor.getSnapshot().context.attempt).toBe(2);
    actor.send(retryable);
    actor.send({ type: 'RETRY' });
    actor.send(retryable);
    expect(actor.getSnapshot().value).toBe('Failed');
    expect(names()).toEqual(['started', 'retrying', 'started', 'retrying', 'started', 'failed']);
    expect(recorded.at(-1)).toEqual(['failed', { taskId: 't', error: boom }]);
  });

  it('fails at once on a FAIL that is not retryable', () => {
    const { actor, names } = start({ maxRetries: 5 });
    actor.send({ type: 'START' });
    actor.send({ ...retryable, retryable: false });
    expect(actor.getSnapshot().value).toBe('Failed');
    expect(names()).toEqual(['started', 'failed']);
  });

  it('never retries when maxRetries is 0', () => {
    const { actor } = start({ maxRetries: 0 });
    actor.send({ type: 'START' });
    actor.send(retryable);
    expect(actor.getSnapshot().value).toBe('Failed');
  });

  it('keeps counting attempts of a resumed task, and allows it maxRetries more', () => {
    const { actor, recorded } = start({ maxRetries: 1, attempts: 2 });
    actor.send({ type: 'START' });
    expect(recorded[0]).toEqual(['started', { taskId: 't', attempt: 3 }]);
    actor.send(retryable);
    expect(actor.getSnapshot().value).toEqual({ Running: 'Retrying' });
    actor.send({ type: 'RETRY' });
    actor.send(retryable);
    expect(actor.getSnapshot().value).toBe('Failed');
  });

  it('waits in NeedsClarification and returns to Running on ANSWER', () => {
    const { actor, recorded, names } = start();
    actor.send({ type: 'START' });
    actor.send({ type: 'CLARIFY', question: 'Which platform?' });
    expect(actor.getSnapshot().value).toBe('NeedsClarification');
    expect(recorded[1]).toEqual(['clarification', { taskId: 't', question: 'Which platform?' }]);
    actor.send({ type: 'ANSWER' });
    expect(actor.getSnapshot().value).toEqual({ Running: 'Working' });
    actor.send({ type: 'SUCCEED', output: 'x', durationMs: 0 });
    expect(names()).toEqual(['started', 'clarification', 'started', 'completed']);
  });

  it.each([
    ['Planned', []],
    ['Running.Working', [{ type: 'START' }]],
    ['Running.Retrying', [{ type: 'START' }, retryable]],
    ['NeedsClarification', [{ type: 'START' }, { type: 'CLARIFY', question: '?' }]],
  ] as const)('fails from %s on ABORT, recording the reason', (_from, before) => {
    const { actor, recorded } = start();
    for (const event of before) actor.send(event);
    const error = { code: 'RUN_CANCELLED', message: 'stopped' };
    actor.send({ type: 'ABORT', error });
    expect(actor.getSnapshot().value).toBe('Failed');
    expect(recorded.at(-1)).toEqual(['failed', { taskId: 't', error }]);
  });

  it('ignores events that are not legal in the current state', () => {
    const { actor, recorded } = start();
    actor.send({ type: 'SUCCEED', output: 1, durationMs: 0 });
    actor.send({ type: 'RETRY' });
    actor.send({ type: 'ANSWER' });
    expect(actor.getSnapshot().value).toBe('Planned');
    actor.send({ type: 'START' });
    actor.send({ type: 'RETRY' });
    actor.send({ type: 'START' });
    expect(actor.getSnapshot().value).toEqual({ Running: 'Working' });
    expect(recorded).toHaveLength(1);
  });

  it('records nothing more once final', () => {
    const { actor, recorded } = start();
    actor.send({ type: 'START' });
    actor.send({ type: 'SUCCEED', output: 1, durationMs: 0 });
    const count = recorded.length;
    // XState warns about events sent to a stopped actor: that warning is the expected outcome here.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    actor.send({ type: 'ABORT', error: boom });
    actor.send(retryable);
    warn.mockRestore();
    expect(actor.getSnapshot().value).toBe('Completed');
    expect(recorded).toHaveLength(count);
  });
});
