import { z } from 'zod';
import { authConfigSchema } from '../security/auth.js';
import { screeningPolicySchema } from '../security/injection.js';
import { redactionOptionsSchema } from '../security/redactionOptions.js';

const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

/**
 * The one schema of troupe's runtime configuration, whichever source a value comes from: a
 * JSON file, `TROUPE_*` env vars, or options in code. Every field is optional; defaults are
 * those of `createRuntime`. Secrets are never values here, only names of env vars that hold
 * them (`model.apiKeyEnv`, `auth.*.tokenEnv`, `dashboard.tokenEnv`, `redaction.secretEnv`).
 *
 * @example
 * troupeConfigSchema.parse({ concurrency: 8, auth: { search: { type: 'bearer', tokenEnv: 'SEARCH_TOKEN' } } }).concurrency
 * // => 8
 */
export const troupeConfigSchema = z
  .object({
    concurrency: positiveInt,
    taskTimeoutMs: positiveInt,
    modelTimeoutMs: positiveInt,
    retry: z
      .object({ maxRetries: nonNegativeInt, initialDelayMs: nonNegativeInt, maxDelayMs: nonNegativeInt })
      .partial()
      .strict(),
    maxPlanAttempts: positiveInt,
    maxTasks: positiveInt,
    maxGoalLength: positiveInt,
    /** Path of the SQLite event log. */
    log: z.string().min(1),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']),
    model: z
      .object({
        /** `scripted` (offline) or a model name of an OpenAI-compatible server, e.g. `gpt-4o-mini`. */
        name: z.string().min(1),
        baseURL: z.url(),
        apiKeyEnv: envName,
      })
      .partial()
      .strict(),
    /** Outbound credentials by name (a tool, an MCP server, the model), read from env vars at start-up. */
    auth: z.record(z.string().min(1), authConfigSchema),
    redaction: redactionOptionsSchema.strict(),
    screening: screeningPolicySchema,
    dashboard: z
      .object({ port: z.number().int().min(0).max(65_535), host: z.string().min(1), tokenEnv: envName })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** troupe's runtime configuration, as validated. */
export type TroupeConfig = z.infer<typeof troupeConfigSchema>;

/** Where one env var goes in the config, and how its text is read. */
export interface EnvBinding {
  path: readonly string[];
  parse: 'int' | 'string' | 'boolean' | 'list';
}

/**
 * The env vars `loadConfig` reads, and the config field each one sets.
 *
 * @example
 * envBindings.TROUPE_CONCURRENCY
 * // => { path: ['concurrency'], parse: 'int' }
 */
export const envBindings: Readonly<Record<string, EnvBinding>> = {
  TROUPE_CONCURRENCY: { path: ['concurrency'], parse: 'int' },
  TROUPE_TASK_TIMEOUT_MS: { path: ['taskTimeoutMs'], parse: 'int' },
  TROUPE_MODEL_TIMEOUT_MS: { path: ['modelTimeoutMs'], parse: 'int' },
  TROUPE_MAX_RETRIES: { path: ['retry', 'maxRetries'], parse: 'int' },
  TROUPE_MAX_PLAN_ATTEMPTS: { path: ['maxPlanAttempts'], parse: 'int' },
  TROUPE_MAX_TASKS: { path: ['maxTasks'], parse: 'int' },
  TROUPE_MAX_GOAL_LENGTH: { path: ['maxGoalLength'], parse: 'int' },
  TROUPE_LOG: { path: ['log'], parse: 'string' },
  TROUPE_LOG_LEVEL: { path: ['logLevel'], parse: 'string' },
  TROUPE_MODEL: { path: ['model', 'name'], parse: 'string' },
  OPENAI_BASE_URL: { path: ['model', 'baseURL'], parse: 'string' },
  TROUPE_REDACT: { path: ['redaction', 'enabled'], parse: 'boolean' },
  TROUPE_REDACT_PII: { path: ['redaction', 'pii'], parse: 'boolean' },
  TROUPE_SECRET_ENV: { path: ['redaction', 'secretEnv'], parse: 'list' },
  TROUPE_DASHBOARD_PORT: { path: ['dashboard', 'port'], parse: 'int' },
  TROUPE_DASHBOARD_TOKEN_ENV: { path: ['dashboard', 'tokenEnv'], parse: 'string' },
};
