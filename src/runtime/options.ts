import type { InspectionEvent, Observer } from 'xstate';
import { z } from 'zod';
import { optionIssues } from '../config/optionIssues.js';
import { ConfigError } from '../errors.js';
import type { SwarmOptions } from '../judge/swarmOptions.js';
import type { EventLog } from '../log/EventLog.js';
import { type CompactionOptions, checkCompaction } from '../model/compaction.js';
import type { Model } from '../model/Model.js';
import { defaultMaxToolCalls } from '../model/toolLoop.js';
import { type ToolLimits, toolLimitsSchema } from '../policies/limitTool.js';
import { type CircuitBreakerOptions, circuitBreakerOptionsSchema } from '../policies/runCircuits.js';
import { defaultRunPolicy, type TaskFailurePolicy } from '../run/state.js';
import { type ScreeningPolicy, screeningPolicySchema } from '../security/injection.js';
import { type RedactionOptions, redactionOptionsSchema } from '../security/redactionOptions.js';
import type { Tool } from '../tools/defineTool.js';

/** Options of `createRuntime`; the Judge, budget and global state are the `SwarmOptions`. */
export interface RuntimeOptions extends SwarmOptions {
  /** The model that plans, processes and synthesises. @default scriptedModel() */
  model?: Model;
  /** The tools plans may call. @default [] */
  tools?: readonly Tool[];
  /** Where events are recorded. @default memoryLog() */
  log?: EventLog;
  /** Tasks of one run that execute at once; the rest wait for a slot. @default 16 */
  concurrency?: number;
  /** The longest one attempt of a task may take, in ms. @default 60000 */
  taskTimeoutMs?: number;
  /** The longest a planning or synthesis model call may take, in ms. @default 120000 */
  modelTimeoutMs?: number;
  /**
   * Retries of a failed (or Judge-rejected) task attempt, with exponential backoff and jitter:
   * by default up to 2 s, 4 s and 8 s (each delay drawn from the upper half of its ceiling).
   */
  retry?: {
    /** @default 3 */
    maxRetries?: number;
    /** @default 2000 */
    initialDelayMs?: number;
    /** @default 8000 */
    maxDelayMs?: number;
  };
  /** Plans the model may propose (re-asked with the reasons) before the run fails. @default 3 */
  maxPlanAttempts?: number;
  /** The most tasks a plan may hold. @default 1000 */
  maxTasks?: number;
  /**
   * Tool calls one `processing` step may make in all its turns (calls refused as unknown or
   * with bad arguments count); the call past it fails the step with `ToolCallLimitError`.
   * @default 20
   */
  maxToolCalls?: number;
  /** The longest goal accepted, in characters. @default 10000 */
  maxGoalLength?: number;
  /**
   * What a run does when a task fails for good (retries spent): `'fail-run'` stops it (open
   * clarifications and reviews included); `'continue'` skips the task's dependents and finishes
   * the rest, ending `completed` with partial results while any task completed; `'replan'` asks
   * the model to revise the tasks not yet started. Tasks the plan marks `optional` are always
   * continued past. A run can override it (`RunOptions`). @default 'fail-run'
   */
  onTaskFailure?: TaskFailurePolicy;
  /**
   * Revisions of a plan one run may make: for failures under `onTaskFailure: 'replan'`, and for
   * processing steps whose model asks (`revise_plan`), whatever `onTaskFailure` is. Steps are
   * offered `revise_plan` only while a revision is left: `0` never offers it. @default 2
   */
  maxReplans?: number;
  /** Things to close when the runtime closes, after its runs (e.g. MCP toolsets). @default [] */
  closeWith?: readonly { close(): Promise<void> }[];
  /** Receives XState inspection events of every actor (e.g. `@statelyai/inspect`'s `inspect`). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * Circuit breakers, each run its own: `tools` puts one in front of every tool, `model` one
   * in front of the model endpoint (see `circuitBreaker` for the settings). An open tool
   * circuit sends calls to the tool's declared `fallbacks`, else fails them fast with
   * `CircuitOpenError`. None unless set. @default {}
   */
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * Limits per tool name, shared by every run (a provider's quota is not per run): a bulkhead
   * (`maxConcurrent`, `maxQueued`, default 1000) and/or a rate (`{ limit, intervalMs }`). Tools
   * without an entry are called directly. @default {}
   */
  toolLimits?: Readonly<Record<string, ToolLimits>>;
  /**
   * Summarise older results when a prompt would exceed `maxContextTokens` (see `createCompactor`).
   * @default undefined (prompts are never compacted)
   */
  compaction?: CompactionOptions;
  /**
   * Secret and PII redaction of every event before it is recorded. On by default.
   * @default { enabled: true, pii: true, patterns: [], secretEnv: [] }
   */
  redaction?: RedactionOptions;
  /**
   * What the prompt-injection screen does per source: goals are blocked, tool results quarantined.
   * @default defaultScreeningPolicy
   */
  screening?: Partial<ScreeningPolicy>;
}

const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);

/** The values `onTaskFailure` accepts. */
export const failurePolicySchema = z.enum(['fail-run', 'continue', 'replan']);

const optionsSchema = z.object({
  model: z.custom<Model>((v) => typeof v === 'object' && v !== null && typeof (v as Model).complete === 'function', {
    message: 'expected a Model (an object with a `complete` method)',
  }),
  tools: z.array(
    z.custom<Tool>((v) => typeof v === 'object' && v !== null && typeof (v as Tool).call === 'function', {
      message: 'expected a tool made by defineTool',
    }),
  ),
  log: z.custom<EventLog>((v) => typeof v === 'object' && v !== null && typeof (v as EventLog).append === 'function', {
    message: 'expected an EventLog',
  }),
  concurrency: positiveInt,
  taskTimeoutMs: positiveInt,
  modelTimeoutMs: positiveInt,
  retry: z.object({ maxRetries: nonNegativeInt, initialDelayMs: nonNegativeInt, maxDelayMs: nonNegativeInt }),
  maxPlanAttempts: positiveInt,
  maxTasks: positiveInt,
  maxToolCalls: positiveInt,
  maxGoalLength: positiveInt,
  onTaskFailure: failurePolicySchema,
  maxReplans: nonNegativeInt,
  closeWith: z.array(
    z.custom<{ close(): Promise<void> }>((v) => typeof (v as { close?: unknown } | null)?.close === 'function', {
      message: 'expected an object with a `close` method',
    }),
  ),
  inspect: z.unknown().optional(),
  circuitBreaker: circuitBreakerOptionsSchema,
  toolLimits: z.record(z.string(), toolLimitsSchema),
  redaction: redactionOptionsSchema,
  screening: screeningPolicySchema,
});

/** Options with every default filled in. */
export type ResolvedOptions = Required<
  Omit<RuntimeOptions, keyof SwarmOptions | 'inspect' | 'retry' | 'compaction'>
> & {
  compaction: CompactionOptions | undefined;
  retry: { maxRetries: number; initialDelayMs: number; maxDelayMs: number };
  inspect: RuntimeOptions['inspect'];
};

/**
 * Fills in defaults and validates every option at once; a bad option is a `ConfigError`
 * naming each field, its value and what was expected.
 */
export function resolveOptions(
  options: RuntimeOptions,
  defaults: { model: () => Model; log: () => EventLog },
): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError([`Expected \`options\` to be an object, got \`${String(options)}\``]);
  }
  const candidate = {
    model: options.model ?? defaults.model(),
    tools: options.tools ?? [],
    log: options.log ?? defaults.log(),
    concurrency: options.concurrency ?? 16,
    taskTimeoutMs: options.taskTimeoutMs ?? 60_000,
    modelTimeoutMs: options.modelTimeoutMs ?? 120_000,
    // Spread only an object: spreading `5` or `'fast'` would silently yield the defaults.
    retry:
      options.retry === undefined || (typeof options.retry === 'object' && options.retry !== null)
        ? { maxRetries: 3, initialDelayMs: 2_000, maxDelayMs: 8_000, ...options.retry }
        : options.retry,
    maxPlanAttempts: options.maxPlanAttempts ?? 3,
    maxTasks: options.maxTasks ?? 1_000,
    maxToolCalls: options.maxToolCalls ?? defaultMaxToolCalls,
    maxGoalLength: options.maxGoalLength ?? 10_000,
    onTaskFailure: options.onTaskFailure ?? defaultRunPolicy.onTaskFailure,
    maxReplans: options.maxReplans ?? defaultRunPolicy.maxReplans,
    closeWith: options.closeWith ?? [],
    inspect: options.inspect,
    circuitBreaker: options.circuitBreaker ?? {},
    toolLimits: options.toolLimits ?? {},
    compaction: options.compaction === undefined ? undefined : checkCompaction(options.compaction),
    redaction: options.redaction ?? {},
    screening: options.screening ?? {},
  };
  // Parsed once per runtime: zod's compiled fast path would cost more to build than it saves here.
  const parsed = optionsSchema.safeParse(candidate, { jitless: true });
  if (!parsed.success) {
    throw new ConfigError(optionIssues(parsed.error, candidate));
  }
  const names = new Set<string>();
  for (const tool of candidate.tools) {
    if (names.has(tool.name)) throw new ConfigError([`Expected tool names to be unique, got \`${tool.name}\` twice`]);
    names.add(tool.name);
  }
  for (const tool of candidate.tools) {
    for (const name of tool.fallbacks ?? []) {
      if (name === tool.name || !names.has(name)) {
        throw new ConfigError([
          `Expected the \`fallbacks\` of tool \`${tool.name}\` to name other registered tools, got \`${name}\``,
        ]);
      }
    }
  }
  for (const name of Object.keys(candidate.toolLimits)) {
    if (!names.has(name)) {
      throw new ConfigError([`Expected the keys of \`toolLimits\` to be registered tool names, got \`${name}\``]);
    }
  }
  return candidate;
}
