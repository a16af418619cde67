import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { taskRecorders } from '../../actors/executor.js';
import { startTask, type TaskLife } from '../../actors/taskLifecycle.js';
import { type ReviewDraft, statusOfState, type TaskMachineEvent, taskMachine } from '../../machines/task.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import type { PlannerCommand } from '../../src/run/decide.js';
import { RunSession } from '../../src/run/RunSession.js';

const boom = { code: 'TOOL_FAILED', message: 'boom' };
const cancelled = { code: 'RUN_CANCELLED', message: 'The run stopped before the task finished' };
const judgement = (verdict: 'accepted' | 'review' | 'rejected') => ({ verdict, score: 0.5, reasons: [verdict] });

/** A session on a one-task run, with every event it records kept without its envelope. */
function oneTaskRun() {
  const session = new RunSession(memoryLog(), 'r');
  session.submit({ type: 'start', goal: 'g' });
  session.submit({
    type: 'plan',
    attempt: 1,
    tasks: [{ id: 't', description: 'd', kind: 'tool_call', dependsOn: [], tool: 'noop', input: {} }],
  });
  const recorded: unknown[] = [];
  const execute = session.execute.bind(session);
  session.execute = (command: PlannerCommand) => {
    const promise = execute(command);
    recorded.push(command);
    return promise;
  };
  return { session, recorded, task: () => session.state.tasks.get('t') };
}

/** The live XState actor of the chart, behind the same face as the compiled lifecycle. */
function liveChart(session: RunSession, attempts: number) {
  const recorders = taskRecorders(session);
  const actions = Object.fromEntries(
    Object.entries(recorders).map(([name, fn]) => [name, (_: unknown, p: never) => (fn as (p: never) => void)(p)]),
  );
  const actor = createActor(taskMachine.provide({ actions: actions as never }), {
    input: { taskId: 't', maxRetries: 2, attempts },
  });
  actor.start();
  return actor;
}

const topState = (value: unknown) => (typeof value === 'string' ? value : Object.keys(value as object)[0]) as string;
const leafState = (value: unknown): string =>
  typeof value === 'string' ? value : (Object.entries(value as object).map(([k, v]) => `${k}.${v}`)[0] as string);

function review(kind: 'result' | 'budget', attempt: number): ReviewDraft {
  return {
    reviewId: `rv-${kind}-${attempt}`,
    kind,
    score: kind === 'result' ? 0.5 : null,
    reasons: ['?'],
    durationMs: 1,
  };
}

/** The moves an executor may make in a chart state; each may first record a human's command. */
function moves(leaf: string, attempt: number, reviewKind: 'result' | 'budget' | undefined, answered: boolean) {
  const options: { command?: PlannerCommand; event: TaskMachineEvent }[] = [
    { event: { type: 'ABORT', error: cancelled } },
  ];
  const verdict = (v: 'accepted' | 'review' | 'rejected') => ({
    type: 'VERDICT' as const,
    judgement: judgement(v),
    output: 'o',
    durationMs: 1,
    error: { code: 'JUDGE_REJECTED', message: 'low' },
    delayMs: 1,
    ...(v === 'review' ? { review: { ...review('result', attempt), output: 'o' } } : {}),
  });
  switch (leaf) {
    case 'Planned':
      options.push({ event: { type: 'START' } });
      break;
    case 'Running.Working':
      options.push(
        { event: { type: 'SUCCEED', output: 'o', durationMs: 1 } },
        { event: { type: 'SUCCEED', output: 'o', durationMs: 1, idempotencyKey: 'k', tool: 'noop' } },
        { event: { type: 'FAIL', error: boom, retryable: true, delayMs: 1 } },
        { event: { type: 'FAIL', error: boom, retryable: false, delayMs: 1 } },
        { event: { type: 'JUDGE' } },
        { event: { type: 'HOLD', review: { ...review('budget', attempt), amountUsd: 2 } } },
      );
      // A task asks once: the executor never sends an answered task back to the human.
      if (!answered) options.push({ event: { type: 'CLARIFY', question: 'why?' } });
      break;
    case 'Running.Judging':
      options.push(
        { event: verdict('accepted') },
        { event: verdict('review') },
        { event: verdict('rejected') },
        { event: { type: 'FAIL', error: boom, retryable: false, delayMs: 0 } },
      );
      break;
    case 'Running.Retrying':
      options.push({ event: { type: 'RETRY' } });
      break;
    case 'NeedsClarification':
      options.push({ command: { type: 'answer', taskId: 't', answer: 'because' }, event: { type: 'ANSWER' } });
      break;
    case 'AwaitingReview':
      for (const decision of ['approved', 'rejected'] as const) {
        const kind = reviewKind ?? 'result';
        options.push({
          command: { type: 'review', taskId: 't', reviewId: `rv-${kind}-${attempt}`, decision },
          event: {
            type: 'REVIEWED',
            decision,
            kind,
            output: 'o',
            durationMs: 1,
            error: { code: 'REVIEW_REJECTED', message: 'no' },
            delayMs: 1,
          },
        });
      }
      break;
  }
  return options;
}

describe('the task chart, its compiled lifecycle and the fold', () => {
  it('agree on every random execution: same events recorded, same state, same status', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), fc.nat({ max: 3 }), (choices, firstAttempt) => {
        const live = oneTaskRun();
        const lean = oneTaskRun();
        const actor = liveChart(live.session, firstAttempt);
        const life: TaskLife = startTask(
          { taskId: 't', maxRetries: 2, attempts: firstAttempt },
          taskRecorders(lean.session),
        );
        let reviewKind: 'result' | 'budget' | undefined;
        for (const choice of choices) {
          const snapshot = actor.getSnapshot();
          if (snapshot.status !== 'active') break;
          const leaf = leafState(snapshot.value);
          const options = moves(leaf, snapshot.context.attempt, reviewKind, live.task()?.answer !== undefined);
          const move = options[choice % options.length] as (typeof options)[number];
          if (move.command !== undefined) {
            live.session.submit(move.command);
            lean.session.submit(move.command);
          }
          if (move.event.type === 'HOLD') reviewKind = 'budget';
          if (move.event.type === 'VERDICT' && move.event.review !== undefined) reviewKind = 'result';
          actor.send(move.event);
          life.send(move.event);
          const after = actor.getSnapshot();
          expect(after.status === 'error' ? after.error : undefined).toBeUndefined();
          expect(life.in(leafState(after.value))).toBe(true);
          expect(life.attempt).toBe(after.context.attempt);
          const status = statusOfState[topState(after.value) as keyof typeof statusOfState];
          expect(live.task()?.status).toBe(status);
          expect(lean.task()?.status).toBe(status);
          expect(lean.recorded).toEqual(live.recorded);
        }
        expect(live.session.logFailure).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
