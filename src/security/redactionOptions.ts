import { z } from 'zod';
import { createRedactor, type Redactor } from './redactor.js';
import { compileRules, type RedactionPatternSpec } from './secretPatterns.js';

/**
 * Env vars whose values are redacted by exact match whenever they are set, on top of the
 * ones named in `secretEnv`.
 *
 * @example
 * wellKnownSecretEnv.includes('OPENAI_API_KEY')
 * // => true
 */
export const wellKnownSecretEnv: readonly string[] = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'SLACK_BOT_TOKEN',
  'STRIPE_SECRET_KEY',
  'GOOGLE_API_KEY',
  'HF_TOKEN',
  'NPM_TOKEN',
];

/** Redaction of events, logs and output. On by default. */
export interface RedactionOptions {
  /**
   * Redact at all. Turning it off writes secrets and personal data to the log as they are.
   * @default true
   */
  enabled?: boolean;
  /**
   * Redact personal data (emails, phones, SSNs, card numbers, IBANs, IP addresses) as well as secrets.
   * @default true
   */
  pii?: boolean;
  /** Extra secret formats, replaced with `[REDACTED_<kind>]`. @default [] */
  patterns?: readonly RedactionPatternSpec[];
  /** Env vars whose values are secret: their exact values are redacted. @default [] */
  secretEnv?: readonly string[];
}

/**
 * The zod schema of `RedactionOptions`, shared by `createRuntime`'s options and the config file.
 *
 * @example
 * redactionOptionsSchema.parse({ secretEnv: ['DB_PASSWORD'] }).secretEnv
 * // => ['DB_PASSWORD']
 */
export const redactionOptionsSchema = z.object({
  enabled: z.boolean().optional(),
  pii: z.boolean().optional(),
  patterns: z
    .array(
      z.object({
        kind: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'expected an upper-case kind such as `ACME_TOKEN`'),
        pattern: z.union([z.instanceof(RegExp), z.string().min(1)]),
      }),
    )
    .optional(),
  secretEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an env var name')).optional(),
});

/**
 * Builds the redactor that `RedactionOptions` describe, reading secret values from `env` now,
 * at start-up: the env vars named in `secretEnv`, in `TROUPE_SECRET_ENV` (comma-separated) and
 * in `wellKnownSecretEnv`. `undefined` when redaction is off.
 *
 * @example
 * redactorFromOptions({ secretEnv: ['DB_PASSWORD'] }, { DB_PASSWORD: 'pa55-w0rd!' })?.text('pw pa55-w0rd!')
 * // => 'pw [REDACTED_SECRET_VALUE]'
 * @param options validated redaction options
 * @param env where secret values are read
 * @param extraSecrets exact values to redact besides the env vars' (e.g. resolved auth tokens)
 * @default env process.env
 */
export function redactorFromOptions(
  options: RedactionOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
  extraSecrets: readonly string[] = [],
): Redactor | undefined {
  if (options.enabled === false) return undefined;
  const fromEnv = (env.TROUPE_SECRET_ENV ?? '').split(',').map((name) => name.trim());
  const names = new Set([...wellKnownSecretEnv, ...(options.secretEnv ?? []), ...fromEnv]);
  const values = [...extraSecrets];
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') values.push(value);
  }
  return createRedactor({
    pii: options.pii !== false,
    rules: compileRules(options.patterns ?? [], 'redaction.patterns'),
    values,
  });
}
