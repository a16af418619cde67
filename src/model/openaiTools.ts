import type { ChatCompletionFunctionTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { quarantine } from '../security/quarantine.js';
import type { ModelRequest, ToolCallResult, ToolSpec, ToolTurn } from './Model.js';

/** A JSON schema from zod, without the `$schema` key some compatible servers refuse. */
export function jsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** Whether a request offers the model tools to call (a processing step with a non-empty `tools`). */
export function offersTools(request: ModelRequest): boolean {
  return request.purpose === 'process' && (request.tools?.length ?? 0) > 0;
}

/** The step's tools in the API's function-calling format. */
export function functionTools(specs: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return specs.map((spec) => ({
    type: 'function',
    function: { name: spec.name, description: spec.description, parameters: jsonSchema(spec.inputSchema) },
  }));
}

/**
 * What a `role: "tool"` message says: the output as JSON inside an `<untrusted_data>` wrapper
 * (a tool's output is data, never instructions), or the error as `{ "error": { code, message } }`
 * so the model can correct its call.
 *
 * @example
 * resultText({ callId: 'c1', name: 'add', ok: false, error: { code: 'TOOL_INPUT_INVALID', message: 'a: expected number' } })
 * // => '{"error":{"code":"TOOL_INPUT_INVALID","message":"a: expected number"}}'
 */
export function resultText(result: ToolCallResult): string {
  if (!result.ok) return JSON.stringify({ error: result.error });
  const text = typeof result.output === 'string' ? result.output : (JSON.stringify(result.output) ?? 'null');
  return quarantine([{ label: `tool:${result.name}`, content: text }]);
}

/**
 * The step's earlier turns as chat messages: each an assistant message with its `tool_calls`,
 * then one `role: "tool"` message per call, matched by `tool_call_id`.
 */
export function turnMessages(turns: readonly ToolTurn[]): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  for (const turn of turns) {
    messages.push({
      role: 'assistant',
      content: turn.content === '' ? null : turn.content,
      tool_calls: turn.calls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    });
    for (const result of turn.results) {
      messages.push({ role: 'tool', tool_call_id: result.callId, content: resultText(result) });
    }
  }
  return messages;
}
