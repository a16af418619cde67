import { ConfigError, TroupeError } from '../errors.js';
import type { Tool } from './defineTool.js';
import type { ToolEstimates } from './toolEstimates.js';

/** What `selectTool` optimises for. */
export type SelectionPreference = 'cost' | 'latency' | 'balanced';

/** The request `selectTool` answers. */
export interface SelectToolOptions {
  /** The capability the tool must declare. */
  capability: string;
  /** The most one call may cost, in US dollars (by the estimate). @default no limit */
  maxCostUsd?: number;
  /** The longest one call may take, in ms (by the estimate). @default no limit */
  maxLatencyMs?: number;
  /**
   * How cost and latency weigh in the score: `cost` 0.8 / 0.2, `latency` 0.2 / 0.8,
   * `balanced` 0.5 / 0.5. @default 'balanced'
   */
  prefer?: SelectionPreference;
  /** Learnt estimates to use instead of the declared `costUsd` / `latencyMs`. */
  estimates?: ToolEstimates;
}

/** No registered tool has the capability within the limits; `message` says why each was passed over. */
export class NoToolSelectedError extends TroupeError {
  readonly capability: string;
  constructor(capability: string, message: string) {
    super('NO_TOOL_SELECTED', message);
    this.name = 'NoToolSelectedError';
    this.capability = capability;
  }
}

const weights: Record<SelectionPreference, [cost: number, latency: number]> = {
  cost: [0.8, 0.2],
  latency: [0.2, 0.8],
  balanced: [0.5, 0.5],
};

function limit(option: string, value: number | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new ConfigError([`selectTool: expected \`${option}\` to be a number ≥ 0, got \`${String(value)}\``]);
  }
  return value;
}

/**
 * Picks the most efficient tool with a capability: among tools that declare it and fit
 * `maxCostUsd` and `maxLatencyMs`, the lowest weighted sum of cost and latency, each divided
 * by the largest among the candidates (so dollars and milliseconds weigh alike). Ties go to
 * the first name in alphabetical order, so the choice is deterministic. With `estimates`,
 * observed cost and latency replace the declared ones.
 *
 * @example
 * selectTool(tools, { capability: 'summarise', maxLatencyMs: 2_000, prefer: 'cost' }).name
 * // => 'smallSummariser'
 */
export function selectTool(registry: Iterable<Tool> | ReadonlyMap<string, Tool>, options: SelectToolOptions): Tool {
  if (typeof options?.capability !== 'string' || options.capability === '') {
    throw new ConfigError([
      `selectTool: expected \`capability\` to be a non-empty string, got \`${options?.capability}\``,
    ]);
  }
  const prefer = options.prefer ?? 'balanced';
  if (!(prefer in weights)) {
    throw new ConfigError([`selectTool: expected \`prefer\` to be 'cost', 'latency' or 'balanced', got \`${prefer}\``]);
  }
  const maxCost = limit('maxCostUsd', options.maxCostUsd);
  const maxLatency = limit('maxLatencyMs', options.maxLatencyMs);
  const { capability, estimates } = options;
  const tools = registry instanceof Map ? [...registry.values()] : [...(registry as Iterable<Tool>)];
  const capable = tools.filter((t) => t.capabilities.includes(capability));
  if (capable.length === 0) {
    throw new NoToolSelectedError(capability, `No registered tool declares the capability \`${capability}\``);
  }
  const candidates: { tool: Tool; cost: number; latency: number }[] = [];
  const refused: string[] = [];
  for (const tool of capable) {
    const cost = estimates?.costUsd(tool) ?? tool.costUsd;
    const latency = estimates?.latencyMs(tool) ?? tool.latencyMs;
    if (cost > maxCost) refused.push(`\`${tool.name}\` costs ${cost} USD > maxCostUsd ${maxCost}`);
    else if (latency > maxLatency) refused.push(`\`${tool.name}\` takes ${latency} ms > maxLatencyMs ${maxLatency}`);
    else candidates.push({ tool, cost, latency });
  }
  if (candidates.length === 0) {
    throw new NoToolSelectedError(
      capability,
      `No tool with the capability \`${capability}\` fits the limits: ${refused.join('; ')}`,
    );
  }
  const [wc, wl] = weights[prefer];
  const costScale = Math.max(...candidates.map((c) => c.cost)) || 1;
  const latencyScale = Math.max(...candidates.map((c) => c.latency)) || 1;
  let best = candidates[0] as (typeof candidates)[number];
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const score = (wc * candidate.cost) / costScale + (wl * candidate.latency) / latencyScale;
    if (score < bestScore || (score === bestScore && candidate.tool.name < best.tool.name)) {
      best = candidate;
      bestScore = score;
    }
  }
  return best.tool;
}
