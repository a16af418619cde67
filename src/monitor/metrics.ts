import type { LatencySummary } from './histogram.js';

/** A circuit breaker's state as last reported by a `circuit.*` event. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/**
 * What the Monitor knows, folded from the event stream alone. `runtime.metrics()` returns it;
 * `/metrics` serves it in the Prometheus text format.
 */
export interface Metrics {
  /** When this snapshot was taken (ms since the epoch). */
  at: number;
  /** Whether the Monitor still receives the log's events (false once the log failed or closed). */
  live: boolean;
  events: {
    total: number;
    /** The `seq` of the last event folded (-1 before the first). */
    lastSeq: number;
    /** Counts by `type`, including types this version does not know. */
    byType: Record<string, number>;
  };
  runs: { started: number; active: number; completed: number; failed: number; cancelled: number };
  tasks: {
    planned: number;
    /** Tasks planned and not started yet: waiting for a slot or for their dependencies. */
    queued: number;
    running: number;
    completed: number;
    failed: number;
    /** Attempts that failed and were retried. */
    retries: number;
    /** Tasks completed per second over the last 10 s. */
    perSecond: number;
  };
  /** Task latency (`task.completed` durations) by task kind and by tool. */
  latency: { byKind: Record<string, LatencySummary>; byTool: Record<string, LatencySummary> };
  errors: {
    /** Every recorded error (`error.code` of any event) by code. */
    byCode: Record<string, number>;
    /** Failed tasks over finished tasks, in [0, 1]. */
    taskFailureRate: number;
    /** Failed attempts (retried or final) over attempts started, in [0, 1]. */
    attemptErrorRate: number;
  };
  executor: {
    /** Tasks one run may execute at once, when the Monitor was told. */
    concurrency: number | null;
    running: number;
    /** Running tasks over the slots of the active runs, in [0, 1]; null without `concurrency`. */
    utilisation: number | null;
  };
  model: {
    calls: number;
    inputTokens: number;
    outputTokens: number;
    /** Model call latency by purpose (plan, process, synthesize, judge, ...). */
    latencyByPurpose: Record<string, LatencySummary>;
  };
  /** Spend in USD: every `costUsd` recorded, in total and by event type. */
  cost: { totalUsd: number; byType: Record<string, number> };
  /** Circuit breakers by name. */
  circuits: Record<string, CircuitState>;
  /** `pending`: requested, not decided, in runs still going. */
  reviews: { requested: number; pending: number; approved: number; rejected: number };
  /** `pending`: asked, not answered, of tasks that neither failed nor belong to a run that ended. */
  clarifications: { requested: number; pending: number; answered: number };
}
