import { setMaxListeners } from 'node:events';
import { defer, EMPTY, from, mergeMap, Observable, range } from 'rxjs';
import { DispatchQuotaExceeded, TroupeError } from '../errors.js';
import { abortReason } from '../util/abort.js';
import { aggregateResults } from './aggregate.js';
import { type ParentScope, type PreparedDispatch, prepare } from './prepare.js';
import { type Nesting, runAgent } from './runAgent.js';
import type { TemplateArgs } from './template.js';
import type { DispatchOptions, SubAgentResult } from './types.js';

function nesting(scope: ParentScope): Nesting {
  return {
    dispatch$: (options) => startDispatch(options, scope),
    dispatchAgents: <O, A extends TemplateArgs, R>(options: DispatchOptions<O, A, R>) =>
      aggregateResults(startDispatch(options, scope), options.aggregate),
  };
}

/** Links `child` to abort when any of `parents` does, with the same reason. */
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
    const controller = new AbortController();
    // One listener per running agent: at most `maxParallel`, which is not a leak.
    setMaxListeners(0, controller.signal);
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
      ? setTimeout(
          () =>
            stop(
              new DispatchQuotaExceeded(
                'maxTotalDurationMs',
                `The dispatch ran past \`maxTotalDurationMs\` ${limits.maxTotalDurationMs} ms with ${total - results.length} of ${total} agents unfinished`,
              ),
            ),
          limits.maxTotalDurationMs,
        )
      : undefined;

    const onResult = (result: SubAgentResult<O, A>) => {
      results.push(result);
      if (!result.success) failures += 1;
      if (failures > maxFailures && stopped === undefined && !controller.signal.aborted) {
        const rateLimited = failures > Math.floor(limits.maxFailureRate * total);
        stop(
          rateLimited
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
      } else if (reason instanceof TroupeError) {
        subscriber.error(reason);
      } else if (total - failures < limits.minSuccessCount) {
        const message = `${total - failures} of ${total} agents succeeded; \`minSuccessCount\` is ${limits.minSuccessCount}`;
        subscriber.error(new DispatchQuotaExceeded('minSuccessCount', message, results));
      } else {
        subscriber.complete();
      }
    };

    const subscription = range(0, total)
      .pipe(
        mergeMap(
          (index) => (controller.signal.aborted ? EMPTY : from(runAgent(plan, index, controller.signal, nesting))),
          plan.concurrency,
        ),
      )
      .subscribe({ next: onResult, complete: finish });

    return () => {
      if (timer !== undefined) clearTimeout(timer);
      if (!controller.signal.aborted) {
        controller.abort(new TroupeError('RUN_CANCELLED', 'The dispatch was unsubscribed before it finished'));
      }
      subscription.unsubscribe();
      unlink();
      if (plan.ownsTree) tree.close();
    };
  });
}

/** Prepares (checks) and runs a dispatch; `parent` is set for nested dispatches. */
export function startDispatch<O, A extends TemplateArgs>(
  options: DispatchOptions<O, A, unknown>,
  parent: ParentScope | undefined,
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
