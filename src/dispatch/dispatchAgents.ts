import { aggregateResults } from './aggregate.js';
import { startDispatch } from './dispatchStream.js';
import type { TemplateArgs } from './template.js';
import type { DispatchAgents, DispatchOptions } from './types.js';

/**
 * Fills `template` with each of `arguments` and runs one agent per filled prompt, at most
 * `maxParallel` at once, each with its own timeout and cancellable; one failure never stops
 * the others. Resolves with every result in argument order (or the `aggregate` of them).
 *
 * Before anything runs: a missing or extra template argument or an empty argument list is a
 * `ToolInputError`, a bad option a `ConfigError`, a refused prompt an `UnsafeInputError`, and
 * a limit the dispatch would cross (depth, agent count, estimated cost) a
 * `DispatchQuotaExceeded`. While running, crossing the cost budget, the failure rate or the
 * wall-clock limit stops it with a `DispatchQuotaExceeded` whose `partial` holds every result
 * gathered. When it settles, no agent of it is still running.
 *
 * @example
 * const results = await dispatchAgents({
 *   template: 'Is {{n}} prime?',
 *   arguments: [{ n: 7 }, { n: 8 }],
 *   agent: async (_prompt, { args }) => isPrime(args.n),
 *   maxParallel: 100,
 * });
 * results.map((r) => r.output)
 * // => [true, false]
 */
export const dispatchAgents: DispatchAgents = <O, A extends TemplateArgs, R>(options: DispatchOptions<O, A, R>) =>
  aggregateResults(startDispatch(options, undefined), options.aggregate);
