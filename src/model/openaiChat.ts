import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
} from 'openai/resources/chat/completions';
import { ModelOutputError } from '../errors.js';
import type { Usage } from '../events/types.js';
import type { ModelReply, ModelRequest, ToolCallRequest } from './Model.js';
import { functionTools, jsonSchema, offersTools, turnMessages } from './openaiTools.js';
import { builtInCall, builtInReply, offeredFunctions } from './stepFunctions.js';

/** Settings of the request body that do not depend on the request. */
export interface ChatSettings {
  model: string;
  temperature?: number;
  maxOutputTokens?: number;
  /** How a JSON answer is asked for: a JSON schema, any JSON object, or by the prompt alone. */
  structuredOutput: 'json_schema' | 'json_object' | 'prompt';
}

/**
 * The body of a chat completion for `request`: its messages; for plans and judgements the
 * JSON schema of the answer as `response_format`; for a processing step, the built-in
 * functions it is offered (`ask_clarification` until a human answered it, `revise_plan` while
 * the run has a plan revision left); for a step that may call tools, its tools as functions
 * and its earlier turns as `tool_calls` and `role: "tool"` messages.
 */
export function chatBody(request: ModelRequest, settings: ChatSettings): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: settings.model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
  };
  if (request.purpose === 'process' && request.turns !== undefined && request.turns.length > 0) {
    body.messages.push(...turnMessages(request.turns));
  }
  if (settings.temperature !== undefined) body.temperature = settings.temperature;
  if (settings.maxOutputTokens !== undefined) body.max_tokens = settings.maxOutputTokens;
  if ((request.purpose === 'plan' || request.purpose === 'judge') && settings.structuredOutput !== 'prompt') {
    body.response_format =
      settings.structuredOutput === 'json_object'
        ? { type: 'json_object' }
        : {
            type: 'json_schema',
            json_schema: { name: request.output.name, schema: jsonSchema(request.output.schema), strict: false },
          };
  }
  const tools = offeredFunctions(request);
  if (request.purpose === 'process' && offersTools(request)) tools.push(...functionTools(request.tools ?? []));
  if (tools.length > 0) {
    body.tools = tools;
    body.tool_choice = 'auto';
  }
  return body;
}

/** What one completion said, whether it came whole or streamed. */
export interface ChatOutcome {
  content: string;
  finishReason: string | null;
  toolCalls: ToolCallRequest[];
  usage?: Usage;
}

function usageOf(usage: { prompt_tokens: number; completion_tokens: number } | null | undefined): Usage | undefined {
  if (usage === null || usage === undefined) return undefined;
  return { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
}

/** The outcome of a whole (not streamed) completion. */
export function outcomeOf(completion: ChatCompletion, what: string): ChatOutcome {
  const choice = completion.choices?.[0];
  if (choice === undefined) {
    throw new ModelOutputError(`${what} answered with no choices`, JSON.stringify(completion).slice(0, 2_000));
  }
  const toolCalls = (choice.message.tool_calls ?? []).flatMap((call, index) =>
    call.type === 'function'
      ? [{ id: call.id || `call_${index}`, name: call.function.name, arguments: call.function.arguments }]
      : [],
  );
  const usage = usageOf(completion.usage);
  return {
    content: choice.message.content ?? '',
    finishReason: choice.finish_reason ?? null,
    toolCalls,
    ...(usage === undefined ? {} : { usage }),
  };
}

/**
 * Reads a streamed completion to its end, handing each piece of text to `onToken` and
 * assembling tool calls from their deltas (by index, as the API sends them).
 */
export async function readStream(
  chunks: AsyncIterable<ChatCompletionChunk>,
  onToken: ((delta: string) => void) | undefined,
): Promise<ChatOutcome> {
  let content = '';
  let finishReason: string | null = null;
  let usage: Usage | undefined;
  const calls: ToolCallRequest[] = [];
  for await (const chunk of chunks) {
    usage = usageOf(chunk.usage) ?? usage;
    const choice = chunk.choices?.[0];
    if (choice === undefined) continue;
    const text = choice.delta?.content;
    if (typeof text === 'string' && text !== '') {
      content += text;
      onToken?.(text);
    }
    for (const delta of choice.delta?.tool_calls ?? []) {
      calls[delta.index] ??= { id: `call_${delta.index}`, name: '', arguments: '' };
      const call = calls[delta.index] as ToolCallRequest;
      if (delta.id) call.id = delta.id;
      call.name += delta.function?.name ?? '';
      call.arguments += delta.function?.arguments ?? '';
    }
    finishReason = choice.finish_reason ?? finishReason;
  }
  return { content, finishReason, toolCalls: calls.filter(Boolean), ...(usage === undefined ? {} : { usage }) };
}

/**
 * Turns an outcome into a `ModelReply`: a call of an offered built-in function decides it
 * (`ask_clarification` becomes `clarification` and wins over every other call in the turn,
 * then `revise_plan` becomes `revisePlan`); when the request offers tools, the other calls
 * come back as `toolCalls`, unchecked (the step answers a bad call with a tool error the model
 * can recover from); an answer cut at the token limit or by a content filter, or a function
 * call where no tool and no such built-in is offered, is a `ModelOutputError` carrying what
 * the model said.
 */
export function replyOf(outcome: ChatOutcome, request: ModelRequest, what: string): ModelReply {
  const usage = outcome.usage === undefined ? {} : { usage: outcome.usage };
  const builtIn = builtInCall(outcome.toolCalls, request);
  const [call] = outcome.toolCalls;
  if (call !== undefined && builtIn === undefined && offersTools(request)) {
    return { content: outcome.content, toolCalls: outcome.toolCalls, ...usage };
  }
  if (call !== undefined)
    return { content: outcome.content, ...builtInReply(builtIn ?? call, request, what), ...usage };
  if (outcome.finishReason === 'length') {
    throw new ModelOutputError(
      `${what} stopped at its output token limit (finish_reason: length) after ${outcome.content.length} characters; ` +
        'raise `maxOutputTokens` or ask for less',
      outcome.content,
    );
  }
  if (outcome.finishReason === 'content_filter') {
    throw new ModelOutputError(`${what} was cut by the provider's content filter`, outcome.content);
  }
  return { content: outcome.content, ...usage };
}
