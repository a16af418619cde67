import { redactDeep } from './redactDeep.js';
import { redactorFromOptions } from './redactionOptions.js';
import type { Redactor } from './redactor.js';

let outputRedactor: Redactor | undefined;

/**
 * `JSON.stringify` for anything that leaves the process (HTTP responses of the dashboard, for
 * one): the value is redacted first with the default options' redactor — built-in patterns,
 * PII, and the values of secret env vars — and sensitive keys are masked. Events are already
 * redacted when recorded; this covers what is not an event (errors, summaries, metrics labels).
 *
 * @example
 * safeJson({ error: { message: 'bad key sk-proj-abcdefghijklmnopqrstuvwx' }, token: 't' })
 * // => '{"error":{"message":"bad key [REDACTED_OPENAI_KEY]"},"token":"[REDACTED_SENSITIVE_KEY]"}'
 * @param value what to serialise
 */
export function safeJson(value: unknown): string {
  outputRedactor ??= redactorFromOptions({});
  const clean = outputRedactor === undefined ? value : redactDeep(value, outputRedactor, { sensitiveKeys: 'mask' });
  return JSON.stringify(clean);
}
