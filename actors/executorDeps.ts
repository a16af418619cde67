import type { InspectionEvent, Observer } from 'xstate';
import type { SwarmDeps } from '../src/judge/swarmOptions.js';
import type { ModelToken } from '../src/model/callModel.js';
import type { CompactionOptions, Compactor } from '../src/model/compaction.js';
import type { Model } from '../src/model/Model.js';
import type { RunCircuits } from '../src/policies/runCircuits.js';
import type { RunSession } from '../src/run/RunSession.js';
import type { Tool } from '../src/tools/defineTool.js';
import type { OutcomeStore } from '../src/tools/outcomeStore.js';
import type { RunTracer } from '../src/tracing/RunTracer.js';
import type { Reviser } from './replanner.js';

/** How failed attempts are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Delay before the first retry; doubled for each further one. */
  initialDelayMs: number;
  /** The longest delay between attempts. */
  maxDelayMs: number;
}

/** What the executor needs to run one run's tasks. */
export interface ExecutorDeps {
  session: RunSession;
  model: Model;
  tools: ReadonlyMap<string, Tool>;
  /** Tasks running at once; further ready tasks wait for a slot (backpressure). */
  concurrency: number;
  taskTimeoutMs: number;
  retry: RetryPolicy;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The run's circuit breakers; absent when none is configured, so tools are called directly. */
  circuits?: RunCircuits;
  /** When set, prompts over the budget are compacted (the Planner builds the compactor). */
  compaction?: CompactionOptions;
  /** The run's compactor, shared by its Planner and executor. */
  compactor?: Compactor;
  /** Receives streamed model text; it never enters the event log. */
  onToken?: (token: ModelToken) => void;
  /** The Judge, budget and global state; absent, results complete as soon as an attempt succeeds. */
  swarm?: SwarmDeps;
  /** Revises the rest of the plan past failed tasks (`onTaskFailure: 'replan'`); the Planner supplies it. */
  revise?: Reviser;
  /** Recorded tool outcomes: a call whose key already succeeded returns its output, not run again. */
  outcomes?: OutcomeStore;
  /** Tool calls one processing step may make in all its turns. @default 20 */
  maxToolCalls?: number;
  /** The run's tracer, when an OpenTelemetry SDK is registered: tool calls run in its spans. */
  tracer?: RunTracer;
}
