import type { Observable, OperatorFunction } from 'rxjs';
import type { TroupeError } from '../errors.js';
import type { EventLog } from '../log/EventLog.js';
import type { Model } from '../model/Model.js';
import type { DispatchLimits } from './limits.js';
import type { TemplateArgs } from './template.js';

/** What one sub-agent did. Results of failed agents are kept: `success` is false and `error` says why. */
export interface SubAgentResult<O = unknown, A extends TemplateArgs = TemplateArgs> {
  /** The position of `args` in the dispatch's `arguments`. */
  index: number;
  args: A;
  /** The filled template the agent was given. */
  prompt: string;
  /** The agent's output; `undefined` when it failed. */
  output: O | undefined;
  /** Why the agent failed (`ToolTimeoutError`, `DispatchQuotaExceeded`, ...); `undefined` on success. */
  error: TroupeError | undefined;
  success: boolean;
  durationMs: number;
  /** What the agent reported it spent, in US dollars (0 for a cached result). */
  costUsd: number;
  /** Equal for the same agent, template and arguments: the key of the result cache. */
  idempotencyKey: string;
  /** True when the result came from the cache or the log instead of running the agent. */
  cached: boolean;
  /** 1 for the root dispatch's agents, 2 for the agents they dispatch, and so on. */
  depth: number;
  /** The idempotency key of the agent that dispatched this one; `undefined` at depth 1. */
  parentKey: string | undefined;
}

/** What an agent receives beside its prompt: its place in the tree and the means to go deeper. */
export interface AgentContext<A extends TemplateArgs = TemplateArgs> {
  /** Aborted on timeout, cancellation, or a limit crossed anywhere in the tree: stop then. */
  readonly signal: AbortSignal;
  /** This agent's depth: 1 for the root dispatch's agents. */
  readonly depth: number;
  readonly idempotencyKey: string;
  readonly args: A;
  /** Charges `usd` to the tree's shared budget; throws `DispatchQuotaExceeded` once it is crossed. */
  addCost(usd: number): void;
  /** Dispatches sub-agents one level deeper, sharing this tree's budget, depth limit and cache. */
  dispatchAgents: DispatchAgents;
  /** `dispatchAgents` as an Observable of results as they arrive. */
  dispatch$<O2, A2 extends TemplateArgs>(options: DispatchOptions<O2, A2, unknown>): Observable<SubAgentResult<O2, A2>>;
}

/**
 * The signature of `dispatchAgents`: with a function as `aggregate` (its parameter typed from
 * the agent), with an aggregation operator, or with neither (every result).
 */
export interface DispatchAgents {
  <O, A extends TemplateArgs, R>(
    options: Omit<DispatchOptions<O, A, R>, 'aggregate'> & {
      aggregate: (results: SubAgentResult<O, A>[]) => R | Promise<R>;
    },
  ): Promise<R>;
  <O, A extends TemplateArgs, R = SubAgentResult<O, A>[]>(
    options: Omit<DispatchOptions<O, A, R>, 'aggregate'> & {
      aggregate?: OperatorFunction<SubAgentResult<O, A>, R>;
    },
  ): Promise<R>;
}

/** A sub-agent: any async function from a prompt (and its context) to an output. */
export type Agent<O = unknown, A extends TemplateArgs = TemplateArgs> = (
  prompt: string,
  context: AgentContext<A>,
) => O | Promise<O>;

/**
 * How results become the dispatch's value: one of troupe's aggregation operators (or any RxJS
 * operator, which sees results as they arrive; its last value is the answer), or a function
 * of all results in argument order.
 */
export type Aggregate<O, A extends TemplateArgs, R> =
  | OperatorFunction<SubAgentResult<O, A>, R>
  | ((results: SubAgentResult<O, A>[]) => R | Promise<R>);

/** Screens text that will reach an agent; throws (`UnsafeInputError`) to refuse it. */
export type Screen = (text: string, source: string) => void;

/** The options of `dispatchAgents` and `dispatch$`. */
export interface DispatchOptions<O = unknown, A extends TemplateArgs = TemplateArgs, R = SubAgentResult<O, A>[]> {
  /** The prompt, with named `{{placeholders}}` filled from each argument object. */
  template: string;
  /** One object per agent; its keys must be exactly the template's placeholders. */
  arguments: readonly A[];
  /** The agent to run for each argument. Give `agent` or `model`. */
  agent?: Agent<O, A>;
  /** A model to ask instead of an `agent`: one `process` request per argument; the output is its text. */
  model?: Model;
  /** The agent's name in idempotency keys. @default agent.name, or `model:<model.name>` */
  name?: string;
  /** Agents running at once; the rest wait (backpressure). @default 10 */
  maxParallel?: number;
  /** The longest one agent may run, in ms (at most `limits.maxAgentDurationMs`). @default limits.maxAgentDurationMs */
  timeoutMs?: number;
  limits?: DispatchLimits;
  /** How results become the value `dispatchAgents` resolves with. @default collectAll() */
  aggregate?: Aggregate<O, A, R>;
  /** Cancels the dispatch: running agents are aborted, nothing new starts. */
  signal?: AbortSignal;
  /**
   * Screens the template and each argument's text before anything runs; `false` turns it off.
   * @default defaultDispatchScreen (troupe's prompt-injection screen, `template` policy)
   */
  screen?: Screen | false;
  /**
   * Where successful results are kept by idempotency key (see `createResultCache`), for this
   * dispatch and every nested one: an agent whose key is there is not run again.
   * @default none: every agent runs
   */
  cache?: ResultCache | false;
  /** A run's log to look up results already recorded (`subagent.completed`), so they are not run again. */
  log?: { log: EventLog; runId: string };
  /** Called with every result of the tree (nested dispatches too) as it settles. */
  onResult?: (result: SubAgentResult) => void;
}

/** A store of successful results by idempotency key (see `createResultCache`). */
export interface ResultCache {
  get(key: string): CachedResult | undefined;
  set(key: string, value: CachedResult): void;
}

/** What the cache keeps of a successful result. */
export interface CachedResult {
  output: unknown;
  costUsd: number;
}
