import fc from 'fast-check';
import { expect } from 'vitest';
import type { PlannedTask } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import type { PlannerCommand } from '../../src/run/decide.js';
import { nextStep } from '../../src/run/decide.js';
import { evolve } from '../../src/run/evolve.js';
import { RunSession } from '../../src/run/RunSession.js';
import { initialRunState, type RunState } from '../../src/run/state.js';
import { planArb } from './planArb.js';

/** A random run: a plan, the executor's choice at each step, and maybe a cancel. */
export const caseArb = fc.record({
  plan: planArb(6),
  choices: fc.array(fc.nat({ max: 5 }), { maxLength: 60 }),
  cancelAt: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
});

/** One generated run. */
export type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** The moves a legal executor could make now, as Planner commands (option 0 makes progress). */
function moves(state: RunState): PlannerCommand[][] {
  const options: PlannerCommand[][] = [];
  const report = (r: Extract<PlannerCommand, { type: 'executor' }>['report']): PlannerCommand => ({
    type: 'executor',
    report: r,
  });
  for (const task of state.tasks.values()) {
    const taskId = task.id;
    if (task.status === 'planned' && task.unmet === 0) options.push([report({ type: 'started', taskId, attempt: 1 })]);
    if (task.status === 'running') {
      if (task.kind === 'clarification' && task.answer === undefined) {
        options.push([report({ type: 'clarify', taskId, question: `q ${taskId}?` })]);
      } else {
        const output = task.answer ?? `out ${taskId}`;
        const done = report({ type: 'completed', taskId, output, durationMs: 1 });
        options.push(
          task.kind === 'tool_call'
            ? [{ type: 'record_tool_outcome', taskId, tool: 'noop', idempotencyKey: `k-${taskId}`, output }, done]
            : [done],
        );
        if (task.kind === 'processing' && state.revisions < state.policy.maxReplans) {
          options.push([report({ type: 'completed', taskId, output: 'why', durationMs: 1, revisePlan: 'why' })]);
        }
      }
      const error = { code: 'TOOL_FAILED', message: `boom ${taskId}` };
      options.push([
        report({ type: 'retrying', taskId, attempt: task.attempts, delayMs: 5, error }),
        report({ type: 'started', taskId, attempt: task.attempts + 1 }),
      ]);
      options.push([report({ type: 'failed', taskId, error })]);
    }
    if (task.status === 'needs_clarification' && task.answer === undefined) {
      options.push([
        { type: 'answer', taskId, answer: `answer ${taskId}` },
        report({ type: 'started', taskId, attempt: task.attempts + 1 }),
      ]);
    }
  }
  return options;
}

/** Drives a run through `session` the way the runtime does: commands recorded without waiting. */
function drive(session: RunSession, plan: PlannedTask[], choices: number[], cancelAt: number | undefined): RunState[] {
  const snapshots: RunState[] = [];
  const exec = (command: PlannerCommand) => {
    session.submit(command);
    snapshots[session.state.events] = structuredClone(session.state);
  };
  exec({ type: 'start', goal: 'g' });
  exec({ type: 'plan', attempt: 1, tasks: plan });
  for (let step = 0; ; step++) {
    if (cancelAt === step) {
      exec({ type: 'cancel', reason: 'stop' });
      break;
    }
    const next = nextStep(session.state);
    if (next.kind === 'replan') {
      exec({ type: 'revise', reason: next.reason, tasks: [], dropped: [] });
      continue;
    }
    if (next.kind === 'synthesize') exec({ type: 'complete', answer: 'done' });
    if (next.kind === 'fail') exec({ type: 'fail', error: next.error });
    if (next.kind !== 'wait') break;
    const options = moves(session.state);
    if (options.length === 0) break;
    const choice = step < choices.length ? (choices[step] as number) % options.length : 0;
    for (const command of options[choice] as PlannerCommand[]) exec(command);
  }
  return snapshots;
}

/**
 * Drives `input` through a RunSession on `log`, then checks the stored run: dense seq, and its
 * fold (read live, or from `reopen()` when given) equals the live state at every prefix.
 */
export async function checkStoredFold(log: EventLog, runId: string, input: Case, reopen?: () => EventLog) {
  const session = new RunSession(log, runId);
  const snapshots = drive(session, input.plan, input.choices, input.cancelAt);
  await session.durable();
  let stored = await log.read(runId);
  expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => (stored[0]?.seq ?? 0) + i));
  if (reopen !== undefined) {
    await log.close();
    const again = reopen();
    stored = await again.read(runId);
    await again.close();
  }
  expect(stored).toHaveLength(session.state.events);
  // The whole log folds to the live state, and every prefix to the live state at that point.
  expect(stored.reduce(evolve, initialRunState(runId))).toEqual(session.state);
  const state = initialRunState(runId);
  for (const [i, event] of stored.entries()) {
    evolve(state, event);
    // A command that records two events (a completion with its revision request) is one snapshot.
    const live = snapshots[i + 1];
    if (live !== undefined) expect(state).toEqual(live);
  }
}
