import { describe, expect, it } from 'vitest';
import { troupeEventSchema } from '../../src/events/schemas.js';

const envelope = { seq: 0, id: 'e1', runId: 'r1', ts: 1_700_000_000_000, correlationId: 'r1', causationId: null };
const error = { code: 'TOOL_FAILED', message: 'boom' };

const valid: Record<string, unknown>[] = [
  { type: 'run.started', goal: 'post hello' },
  { type: 'plan.created', attempt: 1, tasks: [{ id: 'a', description: 'do a', kind: 'processing' }] },
  { type: 'plan.rejected', attempt: 2, error, output: 'not json' },
  {
    type: 'model.called',
    purpose: 'plan',
    model: 'scripted',
    usage: { inputTokens: 3, outputTokens: 4 },
    durationMs: 1,
  },
  { type: 'task.started', taskId: 'a', attempt: 1 },
  { type: 'task.retrying', taskId: 'a', attempt: 1, delayMs: 0, error },
  { type: 'task.completed', taskId: 'a', output: { any: ['shape'] }, durationMs: 2.5 },
  { type: 'task.clarification_requested', taskId: 'a', question: 'Which one?' },
  { type: 'task.answered', taskId: 'a', answer: 'That one' },
  { type: 'task.failed', taskId: 'a', error },
  { type: 'context.compacted', summary: 'so far', throughSeq: 7 },
  { type: 'run.completed', answer: 'done' },
  { type: 'run.failed', error },
  { type: 'run.cancelled', reason: 'by the caller' },
];

describe('troupeEventSchema', () => {
  it.each(valid.map((payload) => [payload.type, payload]))('accepts a well-formed `%s`', (_type, payload) => {
    const parsed = troupeEventSchema.safeParse({ ...envelope, causationId: 'e0', ...payload });
    expect(parsed.success).toBe(true);
  });

  it('accepts `causationId: null` for a run’s first event', () => {
    expect(troupeEventSchema.safeParse({ ...envelope, type: 'run.started', goal: 'g' }).success).toBe(true);
  });

  it('defaults a planned task’s `dependsOn` to none', () => {
    const parsed = troupeEventSchema.parse({ ...envelope, ...valid[1] });
    expect(parsed.type === 'plan.created' && parsed.tasks[0]?.dependsOn).toEqual([]);
  });

  it('refuses an unknown `type`', () => {
    const parsed = troupeEventSchema.safeParse({ ...envelope, type: 'run.exploded' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['type']);
  });

  it.each(['seq', 'id', 'runId', 'ts', 'correlationId', 'causationId'])('refuses an event without `%s`', (field) => {
    const event: Record<string, unknown> = { ...envelope, type: 'run.started', goal: 'g' };
    delete event[field];
    const parsed = troupeEventSchema.safeParse(event);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['a negative seq', { ...envelope, seq: -1, type: 'run.started', goal: 'g' }, 'seq'],
    ['a fractional seq', { ...envelope, seq: 1.5, type: 'run.started', goal: 'g' }, 'seq'],
    ['a goal that is not a string', { ...envelope, type: 'run.started', goal: 42 }, 'goal'],
    ['a plan attempt of 0', { ...envelope, type: 'plan.created', attempt: 0, tasks: [] }, 'attempt'],
    [
      'a planned task with an empty id',
      { ...envelope, type: 'plan.created', attempt: 1, tasks: [{ id: '', description: 'd', kind: 'processing' }] },
      'tasks.0.id',
    ],
    [
      'a planned task of an unknown kind',
      { ...envelope, type: 'plan.created', attempt: 1, tasks: [{ id: 'a', description: 'd', kind: 'dance' }] },
      'tasks.0.kind',
    ],
    ['a task event without a taskId', { ...envelope, type: 'task.started', attempt: 1 }, 'taskId'],
    [
      'a negative retry delay',
      { ...envelope, type: 'task.retrying', taskId: 'a', attempt: 1, delayMs: -1, error },
      'delayMs',
    ],
    ['an error without a code', { ...envelope, type: 'run.failed', error: { message: 'm' } }, 'error.code'],
    [
      'negative token usage',
      {
        ...envelope,
        type: 'model.called',
        purpose: 'plan',
        model: 'm',
        usage: { inputTokens: -1, outputTokens: 0 },
        durationMs: 0,
      },
      'usage.inputTokens',
    ],
  ];

  it.each(invalid)('refuses %s, naming the field', (_what, event, path) => {
    const parsed = troupeEventSchema.safeParse(event);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
