import { ModelOutputError } from '../errors.js';
import type { ModelReply, ModelRequest } from './Model.js';

/** The longest clarification question or revision reason a model may give, as the built-in functions allow. */
const maxText = 2_000;

function isText(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '' && value.length <= maxText;
}

function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  try {
    return (JSON.stringify(value) ?? typeof value).slice(0, 200);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The most tool calls one reply may ask for; a model that asks for more is broken, not busy. */
const maxCallsPerReply = 128;

function checkCalls(calls: unknown, refuse: (field: string, value: unknown, expected: string) => never): void {
  if (!Array.isArray(calls) || calls.length === 0 || calls.length > maxCallsPerReply) {
    refuse('toolCalls', calls, `a list of 1 to ${maxCallsPerReply} calls \`{ id, name, arguments }\``);
  }
  const ids = new Set<string>();
  (calls as unknown[]).forEach((call, i) => {
    const {
      id,
      name,
      arguments: args,
    } = (typeof call === 'object' && call !== null ? call : {}) as Record<string, unknown>;
    if (typeof id !== 'string' || id === '' || ids.has(id))
      refuse(`toolCalls.${i}.id`, id, 'a unique non-empty string');
    ids.add(id as string);
    if (typeof name !== 'string' || name === '') refuse(`toolCalls.${i}.name`, name, 'a non-empty string');
    if (typeof args !== 'string') refuse(`toolCalls.${i}.arguments`, args, 'a string (JSON text)');
  });
}

/**
 * Checks a reply where it enters troupe, in one pass over its few fields, so that nothing a
 * model (or a custom `Model`) said can put a value into an event that the log's own reader
 * would refuse: `content` a string, `clarification` (when present) a non-blank string of at
 * most 2,000 characters, `revisePlan` (when present) the same and only when the request offered
 * it (`mayRevisePlan`), `toolCalls` (when present) 1 to 128 calls each with a unique `id`, a
 * `name` and `arguments` text (unchecked: the step answers bad calls itself), `usage` whole non-negative token counts, `costUsd` a finite
 * non-negative number, `attempts` an integer ≥ 1. Fields it does not know pass through.
 * Throws `ModelOutputError` naming the field, what it was and what was expected.
 *
 * @example
 * checkReply({ content: 42 }, request, 'scripted');
 * // => throws ModelOutputError: Model `scripted` (synthesize) replied with `content` 42; expected a string
 */
export function checkReply(reply: unknown, request: ModelRequest, model: string): ModelReply {
  const what = `Model \`${model}\` (${request.purpose})`;
  const refuse = (field: string, value: unknown, expected: string): never => {
    const text = shown(value);
    throw new ModelOutputError(`${what} replied with \`${field}\` ${text}; expected ${expected}`, text);
  };
  if (typeof reply !== 'object' || reply === null) return refuse('reply', reply, 'an object `{ content: string }`');
  const { content, clarification, revisePlan, toolCalls, usage, costUsd, attempts } = reply as Record<string, unknown>;
  if (typeof content !== 'string') refuse('content', content, 'a string');
  if (clarification !== undefined && !isText(clarification)) {
    refuse('clarification', clarification, `a question of 1 to ${maxText} characters, not blank`);
  }
  if (revisePlan !== undefined) {
    if (request.purpose !== 'process' || request.mayRevisePlan !== true) {
      refuse('revisePlan', revisePlan, 'none: `revise_plan` was not offered (no plan revision is left: maxReplans)');
    }
    if (!isText(revisePlan)) refuse('revisePlan', revisePlan, `a reason of 1 to ${maxText} characters, not blank`);
  }
  if (toolCalls !== undefined) checkCalls(toolCalls, refuse);
  if (usage !== undefined) {
    const counts = usage as { inputTokens?: unknown; outputTokens?: unknown } | null;
    if (typeof counts !== 'object' || counts === null) {
      refuse('usage', usage, '`{ inputTokens, outputTokens }`');
    } else {
      if (!isCount(counts.inputTokens)) refuse('usage.inputTokens', counts.inputTokens, 'an integer ≥ 0');
      if (!isCount(counts.outputTokens)) refuse('usage.outputTokens', counts.outputTokens, 'an integer ≥ 0');
    }
  }
  if (costUsd !== undefined && !(typeof costUsd === 'number' && Number.isFinite(costUsd) && costUsd >= 0)) {
    refuse('costUsd', costUsd, 'a finite number ≥ 0');
  }
  if (attempts !== undefined && !(isCount(attempts) && attempts >= 1)) refuse('attempts', attempts, 'an integer ≥ 1');
  return reply as ModelReply;
}
