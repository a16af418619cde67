import { z } from 'zod';
import { ModelOutputError } from '../errors.js';
import { checkReply } from '../model/checkReply.js';
import type { ChatMessage, Model } from '../model/Model.js';
import { quarantine, untrustedDataNotice } from '../security/quarantine.js';
import { describeIssues } from '../util/describeIssues.js';
import type { JudgeFn, JudgeScore, JudgeSubject } from './judgeFn.js';

/** What a model judge must answer: a score in [0, 1] and the reasons for it. */
export const judgeScoreSchema = z.object({
  score: z.number().min(0).max(1),
  reasons: z.array(z.string()).default([]),
});

const outputSchema = { name: 'judgement', schema: z.toJSONSchema(judgeScoreSchema) as Record<string, unknown> };

/** The longest slice of a result shown to the judging model. */
const shownResult = 8_000;

function judgeMessages(subject: JudgeSubject, rubric: string): ChatMessage[] {
  const result = typeof subject.output === 'string' ? subject.output : JSON.stringify(subject.output);
  return [
    {
      role: 'system',
      content: [
        'You judge the result of one step of a plan against a rubric.',
        'Answer with JSON only: {"score": <number from 0 to 1>, "reasons": [<short reasons>]}.',
        `Rubric: ${rubric}`,
        // A result that asks for a high score is data to judge, not an instruction.
        untrustedDataNotice,
      ].join('\n'),
    },
    {
      role: 'user',
      content: `Goal: ${subject.goal}\nStep: ${subject.description}\nResult:\n${quarantine([{ label: 'result', content: (result ?? '').slice(0, shownResult) }])}`,
    },
  ];
}

/** Parses a judging model's reply into `{ score, reasons }`; anything else is a `ModelOutputError`. */
export function parseJudgeScore(content: string): JudgeScore {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    throw new ModelOutputError(
      `Expected the judge's reply to be JSON \`{ score, reasons }\`, got \`${content.slice(0, 200)}\``,
      content,
      {
        cause: err,
      },
    );
  }
  const parsed = judgeScoreSchema.safeParse(json);
  if (!parsed.success) {
    throw new ModelOutputError(`Invalid judgement: ${describeIssues(parsed.error)}`, content, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * A judge that asks `model` to score each result against `rubric`; the reply is validated
 * with zod as `{ score: number in [0, 1], reasons: string[] }`. A reply that is not JSON or
 * breaks the schema throws `ModelOutputError`, which the runtime treats as "send to review".
 *
 * @example
 * const judge = modelJudge(model, 'Is the draft on topic, under 280 characters, and free of hype?');
 * await judge(subject, { signal });
 * // => { score: 0.9, reasons: ['on topic', 'concise'] }
 */
export function modelJudge(model: Model, rubric: string): JudgeFn {
  return async (subject, { signal }) => {
    const task = {
      id: subject.taskId,
      description: subject.description,
      kind: subject.kind,
      dependsOn: [],
      ...(subject.tool === undefined ? {} : { tool: subject.tool }),
    };
    const request = {
      purpose: 'judge' as const,
      goal: subject.goal,
      task,
      result: subject.output,
      rubric,
      output: outputSchema,
      messages: judgeMessages(subject, rubric),
    };
    return parseJudgeScore(checkReply(await model.complete(request, { signal }), request, model.name).content);
  };
}
