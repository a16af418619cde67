import { createRedactor, type Redactor } from './redactor.js';

let secretsOnly: Redactor | undefined;

/**
 * Replaces secrets in the built-in formats (API keys of OpenAI, Anthropic, GitHub, AWS, Slack,
 * Stripe, Google, npm and Hugging Face; JWTs; bearer and basic credentials; private key blocks;
 * passwords and tokens in URLs and `key=value` pairs) with `[REDACTED_<KIND>]`. Personal data
 * is left alone: see `redactPII`, or `createRedactor` for both and for configured values.
 *
 * @example
 * redactSecrets('curl -H "Authorization: Bearer abcdefghijklmnopqrstuvwx" https://api.example.com')
 * // => 'curl -H "Authorization: Bearer [REDACTED_BEARER_TOKEN]" https://api.example.com'
 * @param text the text to redact
 */
export function redactSecrets(text: string): string {
  secretsOnly ??= createRedactor({ pii: false });
  return secretsOnly.text(text);
}
