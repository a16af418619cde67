import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PlanReferenceError, ToolInputError, type TroupeError } from '../../src/errors.js';
import type { PlannedTask, UnsequencedEvent } from '../../src/events/types.js';
import { decide, type PlannerCommand } from '../../src/run/decide.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState, type RunState, type TaskState } from '../../src/run/state.js';
import { taskInput } from '../../src/run/taskInput.js';
import { defineTool, type Tool } from '../../src/tools/defineTool.js';

const post = defineTool({
  name: 'post',
  description: 'Posts text',
  input: z.object({ text: z.string().max(20), tags: z.array(z.string()).default([]) }),
  run: ({ text }) => ({ posted: text }),
}) as Tool;

function exec(state: RunState, command: PlannerCommand): void {
  for (const [i, draft] of decide(state, command).entries()) {
    evolve(state, { ...draft, id: `${state.events}-${i}`, runId: 'r', ts: 0, correlationId: 'r' } as UnsequencedEvent);
  }
}

function stateWith(output: unknown, input: unknown): { state: RunState; task: TaskState } {
  const tasks: PlannedTask[] = [
    { id: 'draft', description: 'd', kind: 'processing', dependsOn: [] },
    { id: 'send', description: 's', kind: 'tool_call', tool: 'post', dependsOn: ['draft'], input },
  ];
  const state = initialRunState('r');
  exec(state, { type: 'start', goal: 'g' });
  exec(state, { type: 'plan', attempt: 1, tasks });
  exec(state, { type: 'executor', report: { type: 'started', taskId: 'draft', attempt: 1 } });
  exec(state, { type: 'executor', report: { type: 'completed', taskId: 'draft', output, durationMs: 1 } });
  return { state, task: state.tasks.get('send') as TaskState };
}

function failure(fn: () => unknown): TroupeError {
  try {
    fn();
  } catch (err) {
    return err as TroupeError;
  }
  throw new Error('expected a throw');
}

describe('taskInput', () => {
  it('resolves references from completed dependencies and says so', () => {
    const { state, task } = stateWith(
      { text: 'hi', tags: ['#a'] },
      { text: '{{draft.output.text}}!', tags: '{{draft.output.tags}}' },
    );
    expect(taskInput(state, task, post)).toEqual({ input: { text: 'hi!', tags: ['#a'] }, resolved: true });
  });

  it('returns input without references as it is, unresolved', () => {
    const { state, task } = stateWith('x', { text: 'plain' });
    expect(taskInput(state, task, post)).toEqual({ input: { text: 'plain' }, resolved: false });
  });

  it('uses the recorded resolved input on a later attempt, never resolving it twice', () => {
    const { state, task } = stateWith('{{draft.output}}', { text: '{{draft.output}}' });
    exec(state, {
      type: 'executor',
      report: { type: 'started', taskId: 'send', attempt: 1, input: { text: '{{draft.output}}' } },
    });
    expect(task.input).toEqual({ text: '{{draft.output}}' });
    expect(taskInput(state, task, post)).toEqual({ input: { text: '{{draft.output}}' }, resolved: false });
  });

  it('fails with PlanReferenceError naming the reference when the path is missing', () => {
    const { state, task } = stateWith({ title: 'x' }, { text: '{{draft.output.body}}' });
    const err = failure(() => taskInput(state, task, post));
    expect(err).toBeInstanceOf(PlanReferenceError);
    expect(err.message).toBe(
      'Task `send`: {{draft.output.body}} names `body`, which `draft.output` does not have (it is object)',
    );
  });

  it('fails with ToolInputError naming the reference when the resolved input fails the schema', () => {
    const { state, task } = stateWith('a draft far longer than twenty characters', {
      text: '{{draft.output}}',
      tags: [],
    });
    const err = failure(() => taskInput(state, task, post));
    expect(err).toBeInstanceOf(ToolInputError);
    expect(err.code).toBe('TOOL_INPUT_INVALID');
    expect(err.message).toMatch(
      /^Task `send`: the input resolved from \{\{draft\.output\}\} is invalid for tool `post`: text: /,
    );
  });
});
