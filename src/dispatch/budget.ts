import { setMaxListeners } from 'node:events';
import type Bottleneck from 'bottleneck';
import { LRUCache } from 'lru-cache';
import { ConfigError, DispatchQuotaExceeded } from '../errors.js';
import { raceAbort } from '../util/abort.js';
import { bottleneckDriver } from '../util/bottleneckDriver.js';
import type { ResolvedLimits } from './limits.js';
import type { CachedResult, ResultCache, SubAgentResult } from './types.js';

/**
 * A cache of successful sub-agent results by idempotency key, to share between dispatches:
 * an agent whose key is in it is not run again.
 *
 * @example
 * const cache = createResultCache({ max: 1000 });
 * await dispatchAgents({ template, arguments: args, agent, cache });
 * await dispatchAgents({ template, arguments: args, agent, cache }); // every result `cached: true`
 */
export function createResultCache(options: { max?: number } = {}): ResultCache {
  const max = options.max ?? 10_000;
  if (!Number.isInteger(max) || max < 1) {
    throw new ConfigError([`Expected \`max\` of the result cache to be an integer ≥ 1, got \`${max}\``]);
  }
  return new LRUCache<string, CachedResult>({ max });
}

/**
 * The budget one root dispatch shares with every dispatch nested beneath it: money spent,
 * agents started, the depth limit, the rate limiter and the result cache. Crossing the cost
 * budget anywhere aborts the whole tree.
 */
export class DispatchTree {
  readonly limits: ResolvedLimits;
  readonly cache: ResultCache | undefined;
  readonly onResult: ((result: SubAgentResult) => void) | undefined;
  /** Results already in a run's log, by idempotency key. */
  readonly recorded = new Map<string, CachedResult>();
  /** Aborted, with a `DispatchQuotaExceeded` as reason, when a tree-wide limit is crossed. */
  readonly signal: AbortSignal;
  spentUsd = 0;
  agents = 0;
  private readonly controller = new AbortController();
  private readonly limiter: Bottleneck | undefined;

  constructor(
    limits: ResolvedLimits,
    cache: ResultCache | false | undefined,
    onResult: ((result: SubAgentResult) => void) | undefined,
  ) {
    this.limits = limits;
    this.cache = cache === false ? undefined : cache;
    this.onResult = onResult;
    this.signal = this.controller.signal;
    // Every running agent of the tree listens here; that is bounded by the limits, not a leak.
    setMaxListeners(0, this.signal);
    const rps = limits.requestsPerSecond;
    this.limiter = rps === undefined ? undefined : new (bottleneckDriver())({ minTime: 1000 / rps });
  }

  /** True when agent starts go through a rate limiter. */
  get rateLimited(): boolean {
    return this.limiter !== undefined;
  }

  /** The checks before a dispatch of `count` agents at `depth`: refuses what would cross a limit. */
  admit(count: number, depth: number, costPerAgentEstimate: number): void {
    const { maxDispatchDepth, maxTotalAgents, maxTotalCostUsd } = this.limits;
    if (this.signal.aborted) throw this.signal.reason;
    if (depth > maxDispatchDepth) {
      throw new DispatchQuotaExceeded(
        'maxDispatchDepth',
        `Dispatch at depth ${depth} exceeds \`maxDispatchDepth\` ${maxDispatchDepth}`,
      );
    }
    if (this.agents + count > maxTotalAgents) {
      throw new DispatchQuotaExceeded(
        'maxTotalAgents',
        `Dispatching ${count} agents after ${this.agents} would exceed \`maxTotalAgents\` ${maxTotalAgents}`,
      );
    }
    const estimate = this.spentUsd + count * costPerAgentEstimate;
    if (estimate > maxTotalCostUsd) {
      throw new DispatchQuotaExceeded(
        'maxTotalCostUsd',
        `Estimated cost $${estimate.toFixed(4)} (${count} agents × $${costPerAgentEstimate} after $${this.spentUsd.toFixed(4)} spent) exceeds \`maxTotalCostUsd\` $${maxTotalCostUsd}`,
      );
    }
    this.agents += count;
  }

  /** Charges `usd` to the tree; crossing `maxTotalCostUsd` stops and aborts every agent of the tree. */
  charge(usd: number): void {
    if (!Number.isFinite(usd) || usd < 0) {
      throw new ConfigError([`Expected \`addCost\` to get a finite number ≥ 0 (US dollars), got \`${usd}\``]);
    }
    this.spentUsd += usd;
    const max = this.limits.maxTotalCostUsd;
    if (this.spentUsd > max) {
      const error = new DispatchQuotaExceeded(
        'maxTotalCostUsd',
        `Actual cost $${this.spentUsd.toFixed(4)} crossed \`maxTotalCostUsd\` $${max}: running agents were cancelled`,
      );
      this.stop(error);
      throw error;
    }
  }

  /** Aborts every agent of the tree with `error` as the reason (the first stop wins). */
  stop(error: DispatchQuotaExceeded): void {
    if (!this.signal.aborted) this.controller.abort(error);
  }

  /** The cached or recorded result of `key`, if there is one. */
  lookup(key: string): CachedResult | undefined {
    return this.cache?.get(key) ?? this.recorded.get(key);
  }

  /** Waits for the rate limiter's next start, or rejects when `signal` aborts first. */
  gate(signal: AbortSignal): Promise<void> {
    if (this.limiter === undefined) return Promise.resolve();
    const slot = this.limiter.schedule(() => Promise.resolve());
    // A slot whose agent was aborted meanwhile is dropped by `close()`; its rejection is expected.
    slot.catch(() => undefined);
    return raceAbort(slot, signal);
  }

  /** Releases the limiter's timers; called when the root dispatch ends. */
  close(): void {
    this.limiter?.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }
}
