import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { ModelOutputError } from '../errors.js';
import { describeIssues } from '../util/describeIssues.js';
import type { ModelRequest, ToolCallRequest } from './Model.js';
import { jsonSchema } from './openaiTools.js';

/** The function a processing step calls when it cannot go on without a human. */
export const clarificationFunction = 'ask_clarification';

/** The function a processing step calls to have the tasks not yet started planned again. */
export const revisionFunction = 'revise_plan';

/** What a call of a built-in function makes of a reply: a clarification or a revision request. */
export type BuiltInReply = { clarification: string } | { revisePlan: string };

interface BuiltIn {
  name: string;
  description: string;
  /** The one argument the function takes. */
  field: string;
  args: z.ZodType<Record<string, string>>;
  offered(request: ModelRequest): boolean;
  reply(value: string): BuiltInReply;
}

/** Whether a request offers the model `ask_clarification`: a processing step not yet answered by a human. */
export function offersClarification(request: ModelRequest): boolean {
  return request.purpose === 'process' && request.answer === undefined;
}

/** Whether a request offers the model `revise_plan`: a processing step of a run with a plan revision left. */
export function offersRevision(request: ModelRequest): boolean {
  return request.purpose === 'process' && request.mayRevisePlan === true;
}

// In the order they win when a model calls several in one turn: a question blocks the step.
const builtIns: readonly BuiltIn[] = [
  {
    name: clarificationFunction,
    description:
      'Ask the human a question when the step cannot be carried out without their answer (an ambiguous ' +
      'or missing detail). Use it only when truly blocked; otherwise answer the step directly.',
    field: 'question',
    args: z.object({
      question: z.string().min(1).max(2_000).describe('The one question the human must answer, self-contained.'),
    }),
    offered: offersClarification,
    reply: (clarification) => ({ clarification }),
  },
  {
    name: revisionFunction,
    description:
      'Ask for the rest of the plan (the tasks not started yet) to be revised, when what this step found ' +
      'shows that those tasks cannot reach the goal as planned. The step ends with your reason as its ' +
      'result. Use it only when the plan must change; otherwise answer the step directly.',
    field: 'reason',
    args: z.object({
      reason: z
        .string()
        .min(1)
        .max(2_000)
        .describe('What the step found, and what the rest of the plan should do differently.'),
    }),
    offered: offersRevision,
    reply: (revisePlan) => ({ revisePlan }),
  },
];

let definitions: Map<string, ChatCompletionFunctionTool> | undefined;

// Built when first asked for, so importing troupe converts no schema.
function definitionOf(builtIn: BuiltIn): ChatCompletionFunctionTool {
  definitions ??= new Map(
    builtIns.map((b) => [
      b.name,
      {
        type: 'function',
        function: {
          name: b.name,
          description: b.description,
          parameters: jsonSchema(z.toJSONSchema(b.args) as Record<string, unknown>),
        },
      },
    ]),
  );
  return definitions.get(builtIn.name) as ChatCompletionFunctionTool;
}

/** The built-in functions `request` offers, in the API's function-calling format. */
export function offeredFunctions(request: ModelRequest): ChatCompletionFunctionTool[] {
  return builtIns.filter((b) => b.offered(request)).map(definitionOf);
}

/** The call of an offered built-in function that decides the reply, if the model made one. */
export function builtInCall(calls: readonly ToolCallRequest[], request: ModelRequest): ToolCallRequest | undefined {
  for (const b of builtIns) {
    if (!b.offered(request)) continue;
    const call = calls.find((c) => c.name === b.name);
    if (call !== undefined) return call;
  }
  return undefined;
}

/**
 * What a call of a built-in function makes of the reply. A call of a function `request` does
 * not offer, or with arguments that are not JSON or not of the function's shape, is a
 * `ModelOutputError` carrying the arguments.
 *
 * @example
 * builtInReply({ id: 'c1', name: 'revise_plan', arguments: '{"reason":"no trends today"}' }, request, what)
 * // => { revisePlan: 'no trends today' }
 */
export function builtInReply(call: ToolCallRequest, request: ModelRequest, what: string): BuiltInReply {
  const offered = builtIns.filter((b) => b.offered(request));
  const builtIn = offered.find((b) => b.name === call.name);
  if (builtIn === undefined) {
    const names = offered.map((b) => `\`${b.name}\``);
    const which =
      names.length === 0
        ? 'none is offered'
        : `only ${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} offered`;
    throw new ModelOutputError(`${what} called function \`${call.name}\`, but ${which}`, call.arguments);
  }
  let args: unknown;
  try {
    args = JSON.parse(call.arguments);
  } catch (err) {
    throw new ModelOutputError(
      `${what} called \`${call.name}\` with arguments that are not JSON: \`${call.arguments.slice(0, 200)}\``,
      call.arguments,
      { cause: err },
    );
  }
  const parsed = builtIn.args.safeParse(args);
  if (!parsed.success) {
    throw new ModelOutputError(
      `${what} called \`${call.name}\` with invalid arguments: ${describeIssues(parsed.error)}`,
      call.arguments,
    );
  }
  return builtIn.reply(parsed.data[builtIn.field] as string);
}
