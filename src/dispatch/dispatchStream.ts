import { DispatchQuotaExceeded, TroupeError } from '../errors.js';
import { abortReason } from '../util/abort.js';
import { defer, EMPTY, from, mergeMap, Observable, range } from '../util/rx.js';
import { AgentRun, type Nesting } from './AgentRun.js';
import { aggregateResults } from './aggregate.js';
import { type PreparedDispatch, prepare } from './prepare.js';
import type { TemplateArgs } from './template.js';
import type { DispatchOptions, SubAgentResult } from './types.js';

const nesting: Nesting = {
  dispatch$: (options, parent) => startDispatch(options, parent),
  dispatchAgents: (options, parent) => aggregateResults(startDispatch(options, parent), options.aggregate),
};

/** Aborts `controller` when any of `parents` aborts, with the same reason; returns the undo. */
function linkAbort(controller: AbortController, parents: readonly (AbortSignal | undefined)[]): () => void {
  const undo: (() => void)[] = [];
  for (const parent of parents) {
    if (parent === undefined) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      continue;
    }
    const onAbort = () => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    undo.push(() => parent.removeEventListener('abort', onAbort));
  }
  return () => {
    for (const fn of undo) fn();
  };
}

function run<O, A extends TemplateArgs>(
  plan: PreparedDispatch<O, A>,
  userSignal: AbortSignal | undefined,
): Observable<SubAgentResult<O, A>> {
  return new Observable((subscriber) => {
    const { limits, tree } = plan;
    const total = plan.args.length;
    // One signal per dispatch, not per agent: a stop reaches the running agents through `running`.
    const controller = new AbortController();
    const running = new Set<AgentRun<O, A>>();
    controller.signal.addEventListener('abort', () => {
      const reason = abortReason(controller.signal);
      for (const agent of running) agent.stop(reason);
    });
    const unlink = linkAbort(controller, [plan.parent?.signal ?? tree.signal, userSignal]);
    const results: SubAgentResult<O, A>[] = [];
    const maxFailures = Math.min(Math.floor(limits.maxFailureRate * total), total - limits.minSuccessCount);
    let failures = 0;
    let stopped: DispatchQuotaExceeded | undefined;

    const stop = (error: DispatchQuotaExceeded) => {
      stopped ??= error;
      controller.abort(stopped);
    };
    const timer = Number.isFinite(limits.maxTotalDurationMs)
      ? setTimeout(() => {
          const unfinished = `${total - results.length} of ${total} agents unfinished`;
          const message = `The dispatch ran past \`maxTotalDurationMs\` ${limits.maxTotalDurationMs} ms with ${unfinished}`;
          stop(new DispatchQuotaExceeded('maxTotalDurationMs', message));
        }, limits.maxTotalDurationMs)
      : undefined;

    const onResult = (result: SubAgentResult<O, A>) => {
      results.push(result);
      if (!result.success) failures += 1;
      if (failures > maxFailures && !controller.signal.aborted) {
        stop(
          failures > Math.floor(limits.maxFailureRate * total)
            ? new DispatchQuotaExceeded(
                'maxFailureRate',
                `${failures} of ${total} agents failed: more than \`maxFailureRate\` ${limits.maxFailureRate} allows`,
              )
            : new DispatchQuotaExceeded(
                'minSuccessCount',
                `${failures} of ${total} agents failed: \`minSuccessCount\` ${limits.minSuccessCount} is out of reach`,
              ),
        );
      }
      tree.onResult?.(result as SubAgentResult);
      subscriber.next(result);
    };

    const finish = () => {
      const reason = stopped ?? (controller.signal.aborted ? abortReason(controller.signal) : undefined);
      if (reason instanceof DispatchQuotaExceeded) {
        subscriber.error(new DispatchQuotaExceeded(reason.limit, reason.message, results));
      } else if (reason !== undefined) {
        subscriber.error(reason);
      } else if (total - failures < limits.minSuccessCount) {
        const message = `${total - failures} of ${total} agents succeeded; \`minSuccessCount\` is ${limits.minSuccessCount}`;
        subscriber.error(new DispatchQuotaExceeded('minSuccessCount', message, results));
      } else {
        subscriber.complete();
      }
    };

    // One timer per dispatch instead of one per agent: agents share `timeoutMs` and `running`
    // keeps start order, so deadlines are ascending and the sweep stops at the first one ahead.
    let sweep: ReturnType<typeof setTimeout> | undefined;
    const expire = () => {
      sweep = undefined;
      const now = Date.now();
      for (const agent of running) {
        if (agent.deadline > now) {
          sweep = setTimeout(expire, agent.deadline - now);
          return;
        }
        agent.timeOut();
      }
    };

    const start = (index: number) => {
      if (controller.signal.aborted) return EMPTY;
      const agent = new AgentRun(plan, index, nesting);
      agent.deadline = Date.now() + plan.timeoutMs;
      running.add(agent);
      sweep ??= setTimeout(expire, plan.timeoutMs);
      return from(
        agent.run().then((result) => {
          running.delete(agent);
          return result;
        }),
      );
    };
    const subscription = range(0, total)
      .pipe(mergeMap(start, plan.concurrency))
      .subscribe({ next: onResult, complete: finish });

    return () => {
      if (timer !== undefined) clearTimeout(timer);
      if (sweep !== undefined) clearTimeout(sweep);
      if (!controller.signal.aborted) {
        controller.abort(new TroupeError('RUN_CANCELLED', 'The dispatch was unsubscribed before it finished'));
      }
      subscription.unsubscribe();
      unlink();
      if (plan.parent === undefined) tree.close();
    };
  });
}

/** Prepares (checks) and runs a dispatch; `parent` is the agent that starts a nested one. */
export function startDispatch<O, A extends TemplateArgs>(
  options: DispatchOptions<O, A, unknown>,
  parent: AgentRun | undefined,
): Observable<SubAgentResult<O, A>> {
  return defer(() => prepare(options, parent)).pipe(mergeMap((plan) => run(plan, options.signal)));
}

/**
 * `dispatchAgents` as an Observable: each agent's result is emitted as it settles (failed
 * ones too); it completes when every agent has, or errors with `DispatchQuotaExceeded`
 * (carrying the results so far in `partial`) when a limit stops the dispatch. Nothing runs
 * until it is subscribed; unsubscribing aborts every running agent.
 *
 * @example
 * dispatch$({ template: 'Summarise {{url}}', arguments: urls.map((url) => ({ url })), agent: summarise })
 *   .subscribe((r) => console.log(r.index, r.success ? r.output : r.error?.code));
 * // => 2 'A short summary'
 * // => 0 'TOOL_TIMEOUT'
 */
export function dispatch$<O, A extends TemplateArgs>(
  options: DispatchOptions<O, A, unknown>,
): Observable<SubAgentResult<O, A>> {
  return startDispatch(options, undefined);
}
