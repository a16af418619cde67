import type { Observable } from 'rxjs';
import { type ErrorInfo, ToolOutputError, ToolTimeoutError, TroupeError, toErrorInfo } from '../errors.js';
import { describeStorableProblem, toStorable } from '../events/storable.js';
import { idempotencyKey } from '../tools/idempotencyKey.js';
import type { PreparedDispatch } from './prepare.js';
import type { TemplateArgs } from './template.js';
import type { AgentContext, DispatchOptions, SubAgentResult } from './types.js';

/** Starts a nested dispatch under an agent (given by the stream module, which owns dispatching). */
export interface Nesting {
  dispatch$(options: DispatchOptions<unknown, TemplateArgs, unknown>, parent: AgentRun): Observable<SubAgentResult>;
  dispatchAgents(options: DispatchOptions<unknown, TemplateArgs, unknown>, parent: AgentRun): Promise<unknown>;
}

/**
 * A settled agent. Its keys are read from the run that produced it, so a dispatch that never
 * asks for them never hashes anything; `toJSON` gives the plain form with every field.
 */
class Settled<O, A extends TemplateArgs> implements SubAgentResult<O, A> {
  readonly index: number;
  readonly args: A;
  readonly prompt: string;
  readonly depth: number;
  readonly output: O | undefined;
  readonly error: TroupeError | undefined;
  readonly success: boolean;
  readonly durationMs: number;
  readonly costUsd: number;
  readonly cached: boolean;
  readonly #run: AgentRun<O, A>;

  constructor(
    run: AgentRun<O, A>,
    output: O | undefined,
    error: TroupeError | undefined,
    durationMs: number,
    cached: boolean,
  ) {
    this.#run = run;
    this.index = run.index;
    this.args = run.args;
    this.prompt = run.prompt;
    this.depth = run.depth;
    this.output = output;
    this.error = error;
    this.success = error === undefined;
    this.durationMs = durationMs;
    this.costUsd = run.costUsd;
    this.cached = cached;
  }

  get idempotencyKey(): string {
    return this.#run.idempotencyKey;
  }

  get parentKey(): string | undefined {
    return this.#run.parentKey;
  }

  toJSON(): Omit<SubAgentResult<O, A>, 'error'> & { error: ErrorInfo | undefined } {
    const { index, args, prompt, depth, output, success, durationMs, costUsd, cached, idempotencyKey, parentKey } =
      this;
    const error = this.error === undefined ? undefined : toErrorInfo(this.error);
    return {
      index,
      args,
      prompt,
      output,
      error,
      success,
      durationMs,
      costUsd,
      idempotencyKey,
      cached,
      depth,
      parentKey,
    };
  }
}

/**
 * One agent of a dispatch, and the context it is handed. What is costly and often unused is
 * made on first use: the idempotency key (a hash) and the `AbortSignal` (Node's
 * `AbortController` costs more than the rest of an agent's bookkeeping together).
 */
export class AgentRun<O = unknown, A extends TemplateArgs = TemplateArgs> implements AgentContext<A> {
  readonly index: number;
  readonly args: A;
  readonly prompt: string;
  readonly depth: number;
  costUsd = 0;
  /** When the agent's time is up (`Date.now()` clock); set by the dispatch as it starts the agent. */
  deadline = 0;
  readonly plan: PreparedDispatch<O, A>;
  readonly #nesting: Nesting;
  #key: string | undefined;
  #controller: AbortController | undefined;
  #stopped = false;
  #reason: TroupeError | undefined;
  #onStop: ((reason: unknown) => void) | undefined;

  constructor(plan: PreparedDispatch<O, A>, index: number, nesting: Nesting) {
    this.plan = plan;
    this.index = index;
    this.args = plan.args[index] as A;
    this.prompt = plan.prompts[index] as string;
    this.depth = plan.depth;
    this.#nesting = nesting;
  }

  get idempotencyKey(): string {
    this.#key ??= idempotencyKey(this.plan.name, this.plan.template.source, this.args);
    return this.#key;
  }

  get parentKey(): string | undefined {
    return this.plan.parent?.idempotencyKey;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  // The context's functions are bound to their agent, so that an agent may destructure them
  // (`async (prompt, { signal, addCost }) => …`) as the README's examples do.
  addCost = (usd: number): void => {
    if (Number.isFinite(usd) && usd > 0) this.costUsd += usd;
    this.plan.tree.charge(usd);
  };

  dispatchAgents = ((options: DispatchOptions<unknown, TemplateArgs, unknown>) =>
    this.#nesting.dispatchAgents(options, this as AgentRun)) as AgentContext<A>['dispatchAgents'];

  dispatch$ = <O2, A2 extends TemplateArgs>(
    options: DispatchOptions<O2, A2, unknown>,
  ): Observable<SubAgentResult<O2, A2>> =>
    this.#nesting.dispatch$(options as DispatchOptions<unknown, TemplateArgs, unknown>, this as AgentRun) as Observable<
      SubAgentResult<O2, A2>
    >;

  /** Stops the agent with a `ToolTimeoutError`: its time (`plan.timeoutMs`) is up. */
  timeOut(): void {
    const what = `Agent ${this.index} (depth ${this.depth}) of \`${this.plan.name}\``;
    this.stop(new ToolTimeoutError(what, this.plan.timeoutMs));
  }

  /** Stops the agent: its signal aborts and its result settles as failed with `reason`. */
  stop(reason: TroupeError): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#onStop?.(reason);
  }

  /**
   * Runs the agent, or answers from the cache. Never rejects: a failure is a result. The
   * dispatch times it out (`timeOut`) when `deadline` passes.
   */
  async run(): Promise<SubAgentResult<O, A>> {
    const { plan } = this;
    const { tree } = plan;
    if (tree.cache !== undefined || tree.recorded.size > 0) {
      const hit = tree.lookup(this.idempotencyKey);
      if (hit !== undefined) return new Settled(this, hit.output as O, undefined, 0, true);
    }
    const started = performance.now();
    try {
      if (tree.rateLimited) await tree.gate(this.signal);
      const returned = await new Promise<O>((resolve, reject) => {
        if (this.#stopped) return reject(this.#reason);
        this.#onStop = reject;
        const value = plan.agent(this.prompt, this) as O | PromiseLike<O>;
        if (typeof (value as PromiseLike<O> | null)?.then === 'function')
          (value as PromiseLike<O>).then(resolve, reject);
        else resolve(value as O);
      });
      // Checked (and copied) as the log would: a result may be recorded as `subagent.completed`.
      const stored = toStorable(returned);
      if (!stored.ok) {
        const where = `Agent ${this.index} (depth ${this.depth})`;
        const problem = describeStorableProblem('output', stored);
        throw new ToolOutputError(plan.name, `${where} returned output that cannot be stored: ${problem}`);
      }
      const output = stored.value as O;
      tree.cache?.set(this.idempotencyKey, { output, costUsd: this.costUsd });
      return new Settled(this, output, undefined, performance.now() - started, false);
    } catch (err) {
      return new Settled<O, A>(this, undefined, this.#asError(err), performance.now() - started, false);
    } finally {
      this.#onStop = undefined;
    }
  }

  #asError(err: unknown): TroupeError {
    if (err instanceof TroupeError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new TroupeError('TOOL_FAILED', `Agent ${this.index} (depth ${this.depth}) failed: ${message}`, {
      cause: err,
    });
  }
}
