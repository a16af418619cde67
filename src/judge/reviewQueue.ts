import { TroupeError } from '../errors.js';
import type { EventLog } from '../log/EventLog.js';
import { evolve } from '../run/evolve.js';
import type { RunSession } from '../run/RunSession.js';
import { initialRunState, type RunState, type TaskState } from '../run/state.js';

/** A result (or a spend) waiting for a human in the review queue. */
export interface PendingReview {
  /** What `approve` and `reject` take. */
  id: string;
  runId: string;
  taskId: string;
  /** `result`: a judged result in the middle band; `budget`: a spend above the review threshold. */
  kind: 'result' | 'budget';
  description: string;
  /** The Judge's score (`null` when the judge failed, and for spends). */
  score: number | null;
  reasons: readonly string[];
  /** The result waiting for the decision. */
  output: unknown;
  amountUsd?: number;
  /** When it was asked for (ms since the epoch). */
  requestedAt: number;
}

/** A decision as recorded. */
export interface ReviewDecision {
  id: string;
  runId: string;
  taskId: string;
  decision: 'approved' | 'rejected';
  note?: string;
}

/** The human review queue, derived from the log: it survives a restart. */
export interface ReviewQueue {
  /** Every review still waiting, oldest first. */
  list(): Promise<PendingReview[]>;
  /** Accepts the result (the task completes) or allows the spend (the tool runs). */
  approve(id: string, note?: string): Promise<ReviewDecision>;
  /** Rejects it: a result is retried with the note (up to the retry limit) then failed; a spend fails the task. */
  reject(id: string, note?: string): Promise<ReviewDecision>;
}

/** A run this process is executing: its session, and how to wake a task once a decision is recorded. */
export interface LiveRun {
  session: RunSession;
  wake(taskId: string): void;
}

/** What the queue needs from its runtime. */
export interface ReviewQueueDeps {
  log: EventLog;
  /** Runs executing here, by id. */
  live: ReadonlyMap<string, LiveRun>;
  /** A session on a run that is not executing here, to record a decision that `resume` will act on. */
  openSession(runId: string, state: RunState): RunSession;
}

function pending(state: RunState, task: TaskState): PendingReview | undefined {
  const review = task.review;
  if (task.status !== 'awaiting_review' || review === undefined || review.decision !== undefined) return undefined;
  return {
    id: review.id,
    runId: state.runId,
    taskId: task.id,
    kind: review.kind,
    description: task.description,
    score: review.score,
    reasons: review.reasons,
    output: review.output,
    ...(review.amountUsd === undefined ? {} : { amountUsd: review.amountUsd }),
    requestedAt: review.requestedAt,
  };
}

/**
 * The review queue of a runtime. Reviews are found by folding the log (runs executing here
 * are read from memory), so a queue rebuilt after a restart lists the same reviews; a
 * decision is an event (`review.decided`) appended to the task's run, and a run executing
 * here continues at once. Deciding an unknown id is `REVIEW_NOT_FOUND`; deciding twice, or a
 * task that is not waiting, is `INVALID_STATE`.
 *
 * @example
 * const [review] = await runtime.reviews.list();
 * await runtime.reviews.approve(review.id, 'reads well');
 * // => { id: 'rv-3f2a9c01b7de', runId, taskId: 'draft-rust', decision: 'approved', note: 'reads well' }
 */
export function createReviewQueue(deps: ReviewQueueDeps): ReviewQueue {
  const { log, live } = deps;
  // One decision at a time per run that is not executing here, so two calls cannot both record one.
  const locks = new Map<string, Promise<unknown>>();

  async function stateOf(runId: string): Promise<RunState> {
    const running = live.get(runId);
    if (running !== undefined) return running.session.state;
    return (await log.read(runId)).reduce(evolve, initialRunState(runId));
  }

  async function find(id: string): Promise<{ state: RunState; task: TaskState }> {
    if (typeof id !== 'string' || id === '') {
      throw new TroupeError(
        'REVIEW_NOT_FOUND',
        `Expected a review id (e.g. \`rv-3f2a9c01b7de\`), got \`${String(id)}\``,
      );
    }
    const runs = await log.runs();
    // Waiting reviews live in running runs; finished ones are searched only to explain a late decision.
    const ordered = [...runs.filter((r) => r.status === 'running'), ...runs.filter((r) => r.status !== 'running')];
    for (const run of ordered) {
      const state = await stateOf(run.runId);
      for (const task of state.tasks.values()) {
        if (task.review?.id === id) return { state, task };
      }
    }
    throw new TroupeError('REVIEW_NOT_FOUND', `No review \`${id}\` in the log; \`list()\` shows the reviews waiting`);
  }

  async function decide(id: string, decision: 'approved' | 'rejected', note: string | undefined) {
    if (note !== undefined && typeof note !== 'string') {
      throw new TroupeError(
        'INVALID_STATE',
        `Expected the note on review \`${id}\` to be a string, got \`${String(note)}\``,
      );
    }
    const { state, task } = await find(id);
    const command = {
      type: 'review' as const,
      taskId: task.id,
      reviewId: id,
      decision,
      ...(note === undefined ? {} : { note }),
    };
    const running = live.get(state.runId);
    if (running !== undefined) {
      await running.session.execute(command);
      running.wake(task.id);
    } else {
      const previous = locks.get(state.runId) ?? Promise.resolve();
      const recorded = previous.then(async () => {
        const fresh = await stateOf(state.runId);
        await deps.openSession(state.runId, fresh).execute(command);
      });
      const settled = recorded.catch(() => undefined);
      locks.set(state.runId, settled);
      // Forget the run once its last queued decision is recorded, so the map does not grow.
      void settled.then(() => {
        if (locks.get(state.runId) === settled) locks.delete(state.runId);
      });
      await recorded;
    }
    const result: ReviewDecision = { id, runId: state.runId, taskId: task.id, decision };
    if (note !== undefined) result.note = note;
    return result;
  }

  return {
    async list() {
      const reviews: PendingReview[] = [];
      for (const run of await log.runs()) {
        if (run.status !== 'running') continue;
        const state = await stateOf(run.runId);
        if (state.counts.awaiting_review === 0) continue;
        for (const task of state.tasks.values()) {
          const review = pending(state, task);
          if (review !== undefined) reviews.push(review);
        }
      }
      return reviews.sort((a, b) => a.requestedAt - b.requestedAt);
    },
    approve: (id, note) => decide(id, 'approved', note),
    reject: (id, note) => decide(id, 'rejected', note),
  };
}
