import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ModelOutputError, PlanValidationError, type TroupeError } from '../../src/errors.js';
import type { PlannedTask, UnsequencedEvent } from '../../src/events/types.js';
import { decide, type PlannerCommand } from '../../src/run/decide.js';
import { evolve } from '../../src/run/evolve.js';
import { parseRevision } from '../../src/run/parseRevision.js';
import { initialRunState, type RunState } from '../../src/run/state.js';
import { defineTool, type Tool } from '../../src/tools/defineTool.js';

const backup = defineTool({
  name: 'backup',
  description: 'b',
  input: z.object({ q: z.string() }),
  run: () => 1,
}) as Tool;
const options = { tools: new Map([['backup', backup]]), maxTasks: 6 };

function exec(state: RunState, command: PlannerCommand): void {
  for (const [i, draft] of decide(state, command).entries()) {
    evolve(state, { ...draft, id: `${state.events}-${i}`, runId: 'r', ts: 0, correlationId: 'r' } as UnsequencedEvent);
  }
}

const t = (id: string, dependsOn: string[] = []): PlannedTask => ({
  id,
  description: id,
  kind: 'processing',
  dependsOn,
});

/** research failed, other completed, draft → post not started. */
function afterFailure(): RunState {
  const state = initialRunState('r');
  exec(state, { type: 'start', goal: 'g', policy: { onTaskFailure: 'replan', maxReplans: 2 } });
  exec(state, {
    type: 'plan',
    attempt: 1,
    tasks: [t('research'), t('draft', ['research']), t('post', ['draft']), t('other')],
  });
  for (const id of ['research', 'other'])
    exec(state, { type: 'executor', report: { type: 'started', taskId: id, attempt: 1 } });
  exec(state, { type: 'executor', report: { type: 'completed', taskId: 'other', output: 'o', durationMs: 1 } });
  exec(state, {
    type: 'executor',
    report: { type: 'failed', taskId: 'research', error: { code: 'TOOL_FAILED', message: 'x' } },
  });
  return state;
}

function issues(raw: unknown): readonly string[] {
  try {
    parseRevision(JSON.stringify(raw), afterFailure(), options);
  } catch (err) {
    expect(err).toBeInstanceOf(PlanValidationError);
    return (err as PlanValidationError).issues;
  }
  throw new Error('expected a refusal');
}

describe('parseRevision', () => {
  it('adds and replaces tasks not yet started, referencing completed results', () => {
    const revision = parseRevision(
      JSON.stringify({
        tasks: [
          {
            id: 'alt',
            description: 'search the backup',
            kind: 'tool_call',
            tool: 'backup',
            input: { q: '{{other.output}}' },
          },
          { id: 'draft', description: 'draft from alt', kind: 'processing', dependsOn: ['alt'] },
        ],
      }),
      afterFailure(),
      options,
    );
    expect(revision.dropped).toEqual([]);
    expect(revision.tasks.map((x) => [x.id, x.dependsOn])).toEqual([
      ['alt', ['other']],
      ['draft', ['alt']],
    ]);
  });

  it('drops tasks not yet started', () => {
    expect(parseRevision('{"drop":["draft","post"]}', afterFailure(), options)).toEqual({
      tasks: [],
      dropped: ['draft', 'post'],
    });
  });

  it('refuses to touch a started or completed task, or to drop an unknown one', () => {
    expect(
      issues({ tasks: [{ id: 'other', description: 'again', kind: 'processing' }], drop: ['ghost', 'research'] }),
    ).toEqual([
      'task `ghost` cannot be dropped: it is not in the plan',
      'task `research` is failed: a revision may only add, replace or drop tasks not yet started',
      'task `other` is completed: a revision may only add, replace or drop tasks not yet started',
      'task `draft` depends on `research`, which failed and will give no output',
    ]);
  });

  it('refuses a plan whose remaining tasks still wait for the failed one', () => {
    expect(issues({ tasks: [] })).toEqual(['task `draft` depends on `research`, which failed and will give no output']);
  });

  it('refuses references to unknown tasks, cycles and too many tasks', () => {
    expect(
      issues({
        drop: ['draft', 'post'],
        tasks: [{ id: 'n', description: 'n', kind: 'processing', input: '{{zz.output}}' }],
      }),
    ).toEqual(['task `n` references {{zz.output}}, but no task `zz` is in the plan']);
    const many = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, description: id, kind: 'processing' }));
    expect(issues({ drop: ['draft', 'post'], tasks: many })).toEqual([
      'the revised plan has 7 tasks; at most 6 are allowed (maxTasks)',
    ]);
  });

  it('refuses junk as ModelOutputError', () => {
    let err: TroupeError | undefined;
    try {
      parseRevision('{"tasks": "none"}', afterFailure(), options);
    } catch (e) {
      err = e as TroupeError;
    }
    expect(err).toBeInstanceOf(ModelOutputError);
    expect(err?.message).toContain('Expected a revision of the form');
  });
});
