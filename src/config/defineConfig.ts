import type { BudgetPolicy } from '../judge/budgetPolicy.js';
import type { JudgeOptions } from '../judge/judge.js';
import type { CompactionOptions } from '../model/compaction.js';
import type { Model } from '../model/Model.js';
import type { ToolLimits } from '../policies/limitTool.js';
import type { CircuitBreakerOptions } from '../policies/runCircuits.js';
import type { Tool } from '../tools/defineTool.js';
import type { TroupeConfig } from './configSchema.js';

/** The model settings of a project file: a name, a server and the env var holding its key. */
export type ModelSettings = NonNullable<TroupeConfig['model']>;

/**
 * A project's configuration, as `troupe.config.js` (`.mjs`, `.ts`) exports it: the settings of
 * `troupeConfigSchema` (the same as `troupe.config.json` and the `TROUPE_*` env vars) plus what
 * only code can give: the tools, a model object, the Judge, the budget and per-tool limits.
 */
export interface ProjectConfig extends Omit<TroupeConfig, 'model'> {
  /**
   * The model every command runs on: a `Model` (`openaiModel({ … })`, `scriptedModel({ … })`)
   * or settings `{ name, baseURL, apiKeyEnv }`; `name: 'demo'` is the offline demo model.
   * @default from `OPENAI_API_KEY` / `OPENAI_BASE_URL` / `TROUPE_MODEL`, else the offline demo model
   */
  model?: Model | ModelSettings;
  /** The tools plans may call. @default the demo's social platform stand-ins */
  tools?: readonly Tool[];
  /** Scores every result; see `createJudge`. @default no Judge */
  judge?: JudgeOptions;
  /** The budget judge that tools with a cost pass first; see `budgetPolicy`. @default none */
  budget?: BudgetPolicy;
  /** Per-tool limits (timeout, concurrency, rate) by tool name. @default none */
  limits?: Readonly<Record<string, ToolLimits>>;
  /** Circuit breakers on tools and the model. @default createRuntime's */
  circuitBreaker?: CircuitBreakerOptions;
  /** Context compaction of long runs. @default none */
  compaction?: CompactionOptions;
}

/**
 * Types a project file's configuration; it returns what it is given. Every `troupe` command
 * finds the file in the current directory (or takes `--config <file>`).
 *
 * @example
 * // troupe.config.mjs
 * import { defineConfig, defineTool } from 'troupe';
 * import { z } from 'zod';
 * export default defineConfig({
 *   tools: [defineTool({ name: 'greet', description: 'Greets someone', input: z.object({ name: z.string() }), run: ({ name }) => `Hello, ${name}!` })],
 *   concurrency: 4,
 * });
 * // => `troupe run "<goal>"` plans with the tool `greet`
 * @param config the project's configuration
 */
export function defineConfig(config: ProjectConfig): ProjectConfig {
  return config;
}

/** Whether a project file's `model` is a model object rather than settings. */
export function isModel(value: ProjectConfig['model']): value is Model {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Model>).complete === 'function';
}
