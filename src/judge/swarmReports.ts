import { TroupeError } from '../errors.js';
import type { EventDraft, Judgement } from '../events/types.js';
import type { RunState, TaskState } from '../run/state.js';

/** What an executor reports about judging, reviews, global state and spend of one task. */
export type SwarmReport =
  | { type: 'scored'; taskId: string; attempt: number; judgement: Judgement }
  | {
      type: 'review';
      taskId: string;
      reviewId: string;
      kind: 'result' | 'budget';
      score: number | null;
      reasons: readonly string[];
      output?: unknown;
      durationMs: number;
      amountUsd?: number;
    }
  | { type: 'committed'; taskId: string; key: string; version: number; value: unknown }
  | { type: 'conflicted'; taskId: string; key: string; expectedVersion: number; actualVersion: number; attempt: number }
  | { type: 'spent'; taskId: string; tool: string; amountUsd: number; counterparty?: string };

/** A human's decision on a review. */
export interface ReviewCommand {
  type: 'review';
  taskId: string;
  reviewId: string;
  decision: 'approved' | 'rejected';
  note?: string;
}

/**
 * The events that record an executor's swarm report; the caller checked that the task is live.
 *
 * @example
 * swarmEvents(task, { type: 'spent', taskId: 'pay', tool: 'pay', amountUsd: 12 })
 * // => [{ type: 'budget.spent', taskId: 'pay', tool: 'pay', amountUsd: 12, causationId: task.lastEventId }]
 */
export function swarmEvents(task: TaskState, report: SwarmReport): EventDraft[] {
  const causationId = task.lastEventId;
  switch (report.type) {
    case 'scored': {
      const { verdict, score, reasons, error } = report.judgement;
      return [
        {
          type: 'judge.scored',
          taskId: task.id,
          attempt: report.attempt,
          verdict,
          score,
          reasons: [...reasons],
          ...(error === undefined ? {} : { error }),
          causationId,
        },
      ];
    }
    case 'review': {
      const { type: _, reasons, ...rest } = report;
      return [{ type: 'review.requested', ...rest, reasons: [...reasons], causationId }];
    }
    case 'committed': {
      const { type: _, ...rest } = report;
      return [{ type: 'state.committed', ...rest, causationId }];
    }
    case 'conflicted': {
      const { type: _, ...rest } = report;
      return [{ type: 'state.conflicted', ...rest, causationId }];
    }
    case 'spent': {
      const { type: _, ...rest } = report;
      return [{ type: 'budget.spent', ...rest, causationId }];
    }
  }
}

/**
 * The event that records a human's decision. Refuses (`INVALID_STATE`) a task that is not
 * waiting for this review, and a review already decided.
 *
 * @example
 * reviewEvents(state, task, { type: 'review', taskId: 'meh', reviewId: 'rv-1a2b3c4d5e6f', decision: 'approved' })
 * // => [{ type: 'review.decided', taskId: 'meh', reviewId: 'rv-1a2b3c4d5e6f', decision: 'approved', causationId }]
 */
export function reviewEvents(state: RunState, task: TaskState, command: ReviewCommand): EventDraft[] {
  const review = task.review;
  if (review === undefined || review.id !== command.reviewId) {
    throw new TroupeError(
      'INVALID_STATE',
      `Run ${state.runId}: task \`${task.id}\` is not waiting for review \`${command.reviewId}\` (it is ${task.status})`,
    );
  }
  if (review.decision !== undefined) {
    throw new TroupeError(
      'INVALID_STATE',
      `Review \`${review.id}\` of task \`${task.id}\` was already decided: ${review.decision}`,
    );
  }
  if (task.status !== 'awaiting_review') {
    throw new TroupeError(
      'INVALID_STATE',
      `Run ${state.runId}: task \`${task.id}\` is not waiting for review (it is ${task.status})`,
    );
  }
  return [
    {
      type: 'review.decided',
      taskId: task.id,
      reviewId: review.id,
      decision: command.decision,
      ...(command.note === undefined ? {} : { note: command.note }),
      causationId: review.requestedBy,
    },
  ];
}
