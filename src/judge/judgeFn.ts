import type { TaskKind } from '../events/types.js';

/** The result a judge scores, with what it needs to know about the task. */
export interface JudgeSubject {
  runId: string;
  goal: string;
  taskId: string;
  description: string;
  kind: TaskKind;
  tool: string | undefined;
  /** The task's result. */
  output: unknown;
  /** Which attempt produced it (1 for the first). */
  attempt: number;
}

/** A judge's answer: a score in [0, 1] and, ideally, why. */
export interface JudgeScore {
  score: number;
  reasons?: readonly string[];
}

/** Scores one result: a number in [0, 1] or `{ score, reasons }`; may be async and should honour `signal`. */
export type JudgeFn = (
  subject: JudgeSubject,
  context: { signal: AbortSignal },
) => number | JudgeScore | Promise<number | JudgeScore>;
