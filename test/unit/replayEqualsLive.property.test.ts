import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlannedTask, UnsequencedEvent } from '../../src/events/types.js';
import { decide, type ExecutorReport, nextStep, type PlannerCommand } from '../../src/run/decide.js';
import { evolve } from '../../src/run/evolve.js';
import { initialRunState, type RunState } from '../../src/run/state.js';
import { planArb } from '../support/planArb.js';

const cancelled = { code: 'RUN_CANCELLED', message: 'The run stopped before the task finished' };
const boom = { code: 'TOOL_FAILED', message: 'boom' };

type Action = { label: string; commands: PlannerCommand[] };

/**
 * Runs a plan the way a legal executor could: at each step the options are the moves the
 * executor may make now; `choices` picks among them (option 0 always makes progress, so the
 * run ends when the choices run out). Returns every recorded event and the live state after each.
 */
function simulate(plan: PlannedTask[], choices: number[], cancelAt: number | null) {
  const live = initialRunState('r');
  const events: UnsequencedEvent[] = [];
  const snapshots: RunState[] = [];
  const backoff = new Set<string>();
  const clarified = new Set<string>();
  const exec = (command: PlannerCommand) => {
    for (const draft of decide(live, command)) {
      const event = { ...draft, id: `e${events.length}`, runId: 'r', ts: events.length, correlationId: 'r' };
      evolve(live, event as UnsequencedEvent);
      events.push(event as UnsequencedEvent);
      snapshots.push(structuredClone(live));
    }
  };
  const report = (r: ExecutorReport): PlannerCommand => ({ type: 'executor', report: r });
  const abortAll = (): PlannerCommand[] =>
    [...live.tasks.values()]
      .filter((t) => t.status === 'running' || t.status === 'needs_clarification')
      .map((t) => report({ type: 'failed', taskId: t.id, error: cancelled }));

  exec({ type: 'start', goal: 'g' });
  exec({ type: 'plan', attempt: 1, tasks: plan });
  for (let step = 0, k = 0; live.status === 'running'; step++) {
    if (step === cancelAt) {
      for (const command of abortAll()) exec(command);
      exec({ type: 'cancel', reason: 'random cancel' });
      break;
    }
    const next = nextStep(live);
    const options: Action[] = [];
    if (next.kind === 'synthesize') options.push({ label: 'complete', commands: [{ type: 'complete', answer: 'a' }] });
    if (next.kind === 'fail') options.push({ label: 'fail', commands: [{ type: 'continue' }] });
    // Like the executor: a revision once no task runs, adding a task.
    if (next.kind === 'replan' && live.counts.running === 0) {
      const added: PlannedTask = {
        id: `added${live.revisions}`,
        description: 'added',
        kind: 'processing',
        dependsOn: [],
      };
      options.push({
        label: 'revise',
        commands: [{ type: 'revise', reason: next.reason, tasks: [added], dropped: [] }],
      });
    }
    for (const t of live.tasks.values()) {
      const startable =
        (t.status === 'planned' && t.unmet === 0) || (t.status === 'needs_clarification' && t.answer !== undefined);
      const id = t.id;
      if (startable && live.counts.failed === 0 && live.revisionRequests.length === 0) {
        options.push({ label: 'start', commands: [report({ type: 'started', taskId: id, attempt: t.attempts + 1 })] });
      }
      if (t.status === 'running' && backoff.has(id)) {
        options.push({
          label: 'restart',
          commands: [report({ type: 'started', taskId: id, attempt: t.attempts + 1 })],
        });
      } else if (t.status === 'running') {
        options.push({
          label: 'succeed',
          commands: [report({ type: 'completed', taskId: id, output: id, durationMs: 0 })],
        });
        options.push({ label: 'fail', commands: [report({ type: 'failed', taskId: id, error: boom })] });
        if (t.kind === 'processing' && live.revisions < live.policy.maxReplans) {
          const asked = { type: 'completed', taskId: id, output: 'why', durationMs: 0, revisePlan: 'why' } as const;
          options.push({ label: 'ask', commands: [report(asked)] });
        }
        if (t.attempts < 3) {
          const retry = { type: 'retrying', taskId: id, attempt: t.attempts, delayMs: 1, error: boom } as const;
          options.push({ label: 'retry', commands: [report(retry)] });
        }
        if (!clarified.has(id)) {
          options.push({ label: 'clarify', commands: [report({ type: 'clarify', taskId: id, question: `${id}?` })] });
        }
      }
      if (t.status === 'needs_clarification' && t.answer === undefined) {
        options.push({ label: 'answer', commands: [{ type: 'answer', taskId: id, answer: `answer ${id}` }] });
      }
    }
    const choice = options[(choices[k++] ?? 0) % options.length] as Action;
    const taskId = (choice.commands[0] as { report?: { taskId: string } }).report?.taskId;
    if (choice.label === 'retry' && taskId !== undefined) backoff.add(taskId);
    if (choice.label === 'restart' && taskId !== undefined) backoff.delete(taskId);
    if (choice.label === 'clarify' && taskId !== undefined) clarified.add(taskId);
    for (const command of choice.commands) exec(command);
    // A failed run stops its pool: tasks waiting for an answer are aborted after `run.failed`.
    if ((live.status as RunState['status']) === 'failed') for (const command of abortAll()) exec(command);
  }
  return { live, events, snapshots };
}

const runArb = fc.record({
  plan: planArb(8),
  choices: fc.array(fc.nat(), { maxLength: 120 }),
  cancelAt: fc.option(fc.nat(40), { freq: 4 }),
});

describe('the Planner as decide/evolve over random plans and executor reports', () => {
  it('folding the recorded events from scratch equals the live state, after every event', () => {
    fc.assert(
      fc.property(runArb, ({ plan, choices, cancelAt }) => {
        const { live, events, snapshots } = simulate(plan, choices, cancelAt);
        expect(events.reduce(evolve, initialRunState('r'))).toEqual(live);
        const replayed = initialRunState('r');
        events.forEach((event, i) => {
          evolve(replayed, event);
          expect(replayed).toEqual(snapshots[i]);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('ends every run, with every started task in exactly one final status', () => {
    fc.assert(
      fc.property(runArb, ({ plan, choices, cancelAt }) => {
        const { live, events } = simulate(plan, choices, cancelAt);
        expect(['completed', 'failed', 'cancelled']).toContain(live.status);
        for (const task of live.tasks.values()) {
          const own = events.filter((e) => 'taskId' in e && e.taskId === task.id);
          const finals = own.filter((e) => e.type === 'task.completed' || e.type === 'task.failed');
          const started = own.some((e) => e.type === 'task.started');
          expect(finals).toHaveLength(started ? 1 : 0);
          expect(task.status).toBe(
            started ? (finals[0]?.type === 'task.completed' ? 'completed' : 'failed') : 'planned',
          );
        }
        const statuses = [...live.tasks.values()].map((t) => t.status);
        for (const [status, count] of Object.entries(live.counts)) {
          expect(statuses.filter((s) => s === status)).toHaveLength(count);
        }
        if (live.status === 'completed') expect(live.counts.completed).toBe(live.tasks.size);
        if (live.status === 'failed') expect(live.error?.code).toBe('TOOL_FAILED');
      }),
      { numRuns: 150 },
    );
  });

  it('records a causal chain: every event but the first names an earlier event as its cause', () => {
    fc.assert(
      fc.property(runArb, ({ plan, choices, cancelAt }) => {
        const { events } = simulate(plan, choices, cancelAt);
        const seen = new Set<string>();
        events.forEach((event, i) => {
          if (i === 0) expect(event.causationId).toBeNull();
          else expect(seen.has(event.causationId as string)).toBe(true);
          seen.add(event.id);
        });
      }),
      { numRuns: 100 },
    );
  });
});
