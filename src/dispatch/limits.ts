import { z } from 'zod';
import { optionIssues } from '../config/optionIssues.js';
import { ConfigError } from '../errors.js';

const positiveInt = z.number().int().min(1);
const nonNegative = z.number().min(0);
const unbounded = Number.POSITIVE_INFINITY;

/**
 * The limits of one dispatch, validated with zod. Fields marked *tree-wide* are fixed by the
 * root `dispatchAgents` call and shared by every nested dispatch beneath it (one budget for
 * the whole tree of agents); the others apply to each dispatch call on its own.
 */
export const dispatchLimitsSchema = z
  .object({
    /** Tree-wide: the most all agents of the tree may cost together, in US dollars. @default Infinity */
    maxTotalCostUsd: nonNegative.default(unbounded),
    /** What one agent is expected to cost, for the check before dispatch. @default 0 */
    costPerAgentEstimate: nonNegative.default(0),
    /** The ceiling of `maxParallel` for this dispatch and every nested one. @default Infinity */
    maxConcurrent: positiveInt.or(z.literal(unbounded)).default(unbounded),
    /** Tree-wide: the most agents the whole tree may start. @default 10000 */
    maxTotalAgents: positiveInt.default(10_000),
    /** The longest one agent may run, in ms; `timeoutMs` may only be shorter. @default 60000 */
    maxAgentDurationMs: positiveInt.default(60_000),
    /** The longest the whole dispatch may run (wall clock), in ms. @default Infinity */
    maxTotalDurationMs: positiveInt.or(z.literal(unbounded)).default(unbounded),
    /** Tree-wide: agent starts per second (bottleneck); no limiter at all when unset. @default undefined */
    requestsPerSecond: z.number().positive().optional(),
    /** The share of agents that may fail, in [0, 1]; past it the dispatch fails fast. @default 1 */
    maxFailureRate: z.number().min(0).max(1).default(1),
    /** Successes the dispatch needs; once out of reach it fails fast. @default 0 */
    minSuccessCount: z.number().int().min(0).default(0),
    /** Tree-wide: how deep agents may dispatch agents; the root's agents are at depth 1. @default 5 */
    maxDispatchDepth: positiveInt.default(5),
  })
  .strict();

/** Limits as given: every field optional (see `dispatchLimitsSchema` for the defaults). */
export type DispatchLimits = z.input<typeof dispatchLimitsSchema>;
/** Limits with every default filled in. */
export type ResolvedLimits = z.output<typeof dispatchLimitsSchema>;

/** The fields only the root dispatch of a tree may set. */
export const treeWideLimits = ['maxTotalCostUsd', 'maxTotalAgents', 'requestsPerSecond', 'maxDispatchDepth'] as const;

/**
 * Validates limits and fills in their defaults; every bad field is named in one `ConfigError`.
 *
 * @example
 * resolveLimits({ maxTotalAgents: 100 }).maxDispatchDepth
 * // => 5
 */
export function resolveLimits(limits: DispatchLimits | undefined): ResolvedLimits {
  const given = limits ?? {};
  const parsed = dispatchLimitsSchema.safeParse(given);
  if (parsed.success) return parsed.data;
  throw new ConfigError(optionIssues(parsed.error, given, 'limits.'));
}
