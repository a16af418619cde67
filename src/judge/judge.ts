import { z } from 'zod';
import { ConfigError, ToolTimeoutError, toErrorInfo } from '../errors.js';
import type { Judgement, RecordedError, TaskKind, Verdict } from '../events/types.js';
import type { Model } from '../model/Model.js';
import { deadline, raceAbort } from '../util/abort.js';
import { describeIssues } from '../util/describeIssues.js';
import type { JudgeFn, JudgeSubject } from './judgeFn.js';
import { judgeScoreSchema, modelJudge } from './modelJudge.js';

/** Options of the runtime's Judge: a scoring function, or a rubric for the model. */
export interface JudgeOptions {
  /** Scores results by code. Give this or `rubric`. */
  score?: JudgeFn;
  /** Scores results by asking the model with this rubric. Give this or `score`. */
  rubric?: string;
  /** The model that judges by rubric. @default the runtime's model */
  model?: Model;
  /** Scores at or above are accepted. @default 0.85 */
  approveAt?: number;
  /** Scores below are rejected (the task is retried with the reasons, then failed). @default 0.7 */
  rejectBelow?: number;
  /** The longest one judgement may take, in ms; a judge that times out sends the result to review. @default 30000 */
  timeoutMs?: number;
  /** Which tasks are judged. @default every task but clarifications */
  appliesTo?: (task: { id: string; kind: TaskKind; tool: string | undefined }) => boolean;
}

/** A ready judge: the bands and the scoring, which never throws except when the run is cancelled. */
export interface Judge {
  readonly approveAt: number;
  readonly rejectBelow: number;
  appliesTo(task: { id: string; kind: TaskKind; tool: string | undefined }): boolean;
  evaluate(subject: JudgeSubject, signal: AbortSignal): Promise<Judgement>;
}

const fraction = z.number().min(0).max(1);
const optionsSchema = z
  .object({
    score: z.custom<JudgeFn>((v) => typeof v === 'function', { message: 'expected a function' }).optional(),
    rubric: z.string().min(1).optional(),
    model: z
      .custom<Model>((v) => typeof (v as Model | null)?.complete === 'function', { message: 'expected a Model' })
      .optional(),
    approveAt: fraction,
    rejectBelow: fraction,
    timeoutMs: z.number().int().min(1),
    appliesTo: z.custom<NonNullable<JudgeOptions['appliesTo']>>((v) => typeof v === 'function').optional(),
  })
  .refine((o) => (o.score === undefined) !== (o.rubric === undefined), {
    message: 'expected exactly one of `score` (a function) or `rubric` (a string)',
  })
  .refine((o) => o.rejectBelow <= o.approveAt, {
    message: 'expected `rejectBelow` ≤ `approveAt`',
    path: ['rejectBelow'],
  });

/**
 * Which band a score falls in: `accepted` at or above `approveAt`, `rejected` below
 * `rejectBelow`, `review` in between.
 *
 * @example
 * band(0.9, 0.85, 0.7)
 * // => 'accepted'
 * band(0.75, 0.85, 0.7)
 * // => 'review'
 */
export function band(score: number, approveAt: number, rejectBelow: number): Verdict {
  if (score >= approveAt) return 'accepted';
  if (score < rejectBelow) return 'rejected';
  return 'review';
}

/** What a judge answered, as text for the message recording it; never throws (a bigint, a cycle). */
function shown(raw: unknown): string {
  try {
    return (JSON.stringify(raw) ?? String(raw)).slice(0, 200);
  } catch {
    return `a ${typeof raw} JSON cannot show`;
  }
}

function toReview(error: RecordedError): Judgement {
  return { verdict: 'review', score: null, reasons: [`The judge could not score: ${error.message}`], error };
}

/**
 * Builds the runtime's Judge from options (validated: a `ConfigError` names each bad field).
 * A judge that throws, times out, or answers a score outside [0, 1] or junk does not fail the
 * task: the result goes to human review with the error recorded.
 *
 * @example
 * const judge = createJudge({ score: ({ output }) => (String(output).length < 280 ? 0.9 : 0.5) });
 * await judge.evaluate(subject, signal);
 * // => { verdict: 'accepted', score: 0.9, reasons: [] }
 */
export function createJudge(options: JudgeOptions, defaultModel?: Model): Judge {
  const candidate = { approveAt: 0.85, rejectBelow: 0.7, timeoutMs: 30_000, ...options };
  const parsed = optionsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `Expected \`judge.${i.path.join('.') || '(options)'}\` to be valid: ${i.message}`),
    );
  }
  const { approveAt, rejectBelow, timeoutMs } = candidate;
  let scoreFn = options.score;
  if (scoreFn === undefined) {
    const model = options.model ?? defaultModel;
    if (model === undefined) throw new ConfigError(['Expected `judge.model` (or a runtime model) to judge by rubric']);
    scoreFn = modelJudge(model, options.rubric as string);
  }
  const score = scoreFn;
  const appliesTo = options.appliesTo ?? ((task) => task.kind !== 'clarification');

  async function evaluate(subject: JudgeSubject, signal: AbortSignal): Promise<Judgement> {
    const limit = deadline(signal, timeoutMs, () => new ToolTimeoutError(`Judge of \`${subject.taskId}\``, timeoutMs));
    let raw: unknown;
    try {
      raw = await raceAbort(
        Promise.resolve().then(() => score(subject, { signal: limit.signal })),
        limit.signal,
      );
    } catch (err) {
      // A cancelled run stops judging; anything else the judge did wrong is a human's call.
      if (signal.aborted) throw err;
      return toReview(toErrorInfo(err));
    } finally {
      limit.dispose();
    }
    const parsed = judgeScoreSchema.safeParse(typeof raw === 'number' ? { score: raw } : raw);
    if (!parsed.success) {
      return toReview({
        code: 'JUDGE_INVALID',
        message: `Expected the judge to return a score in [0, 1] or \`{ score, reasons }\`, got \`${shown(raw)}\` (${describeIssues(parsed.error)})`,
      });
    }
    // `+ 0` turns -0 into 0, which is what the log reads back.
    const scored = parsed.data.score + 0;
    return {
      verdict: band(scored, approveAt, rejectBelow),
      score: scored,
      reasons: parsed.data.reasons,
    };
  }

  return { approveAt, rejectBelow, appliesTo, evaluate };
}
