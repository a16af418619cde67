import { TroupeError } from '../errors.js';
import { checkObject, integerAtLeast, numberBetween } from '../streams/checkOptions.js';

/** Options of `partialSuccess`: the least that must have succeeded. Both apply when both are given. */
export interface PartialSuccessConfig {
  /** Successes needed, as a count. @default 1 (0 for an empty batch) */
  atLeast?: number;
  /** Successes needed, as a share of all results in [0, 1]. @default 0 */
  atLeastRatio?: number;
}

/** What succeeded and what did not, by position in the input. */
export interface PartialOutcome<T> {
  succeeded: { index: number; value: T }[];
  failed: { index: number; error: unknown }[];
  /** Successes over all results (1 for an empty batch). */
  ratio: number;
}

/** A result as a dispatch reports it (`SubAgentResult` fits): its success, output and error. */
export interface ReportedResult<T> {
  success: boolean;
  output?: T | undefined;
  error?: unknown;
}

/** Too few results succeeded; `outcome` still holds what did. */
export class PartialSuccessError<T = unknown> extends TroupeError {
  readonly outcome: PartialOutcome<T>;
  constructor(message: string, outcome: PartialOutcome<T>) {
    super('PARTIAL_SUCCESS_UNMET', message);
    this.name = 'PartialSuccessError';
    this.outcome = outcome;
  }
}

/**
 * The per-dispatch partial-success policy: given settled results (as `Promise.allSettled`
 * returns them, or as `dispatchAgents` reports them: `{ success, output, error }`), continues with what succeeded when at least `atLeast` of them, and at least
 * `atLeastRatio` of all, succeeded, and records what did not. Otherwise throws
 * `PartialSuccessError`, whose `outcome` still holds both lists.
 *
 * @example
 * const settled = await Promise.allSettled(urls.map(fetchPage));
 * const { succeeded, failed } = partialSuccess(settled, { atLeastRatio: 0.8 });
 * // 9 of 10 pages fetched:
 * // => succeeded.length === 9, failed === [{ index: 3, error }]
 *
 * await dispatchAgents({ ..., aggregate: (results) => partialSuccess(results, { atLeast: 3 }) });
 * // => { succeeded: [{ index, value: output }, ...], failed: [...], ratio }
 */
export function partialSuccess<T>(
  results: readonly (PromiseSettledResult<T> | ReportedResult<T>)[],
  config: PartialSuccessConfig = {},
): PartialOutcome<T> {
  checkObject('partialSuccess', config);
  const atLeast = integerAtLeast('partialSuccess', 'atLeast', config.atLeast, 0, Math.min(1, results.length));
  const atLeastRatio = numberBetween('partialSuccess', 'atLeastRatio', config.atLeastRatio, 0, 1, 0);
  const outcome: PartialOutcome<T> = { succeeded: [], failed: [], ratio: 1 };
  results.forEach((result, index) => {
    if ('status' in result) {
      if (result.status === 'fulfilled') outcome.succeeded.push({ index, value: result.value });
      else outcome.failed.push({ index, error: result.reason });
    } else if (result.success) outcome.succeeded.push({ index, value: result.output as T });
    else outcome.failed.push({ index, error: result.error });
  });
  const total = results.length;
  outcome.ratio = total === 0 ? 1 : outcome.succeeded.length / total;
  const needed = Math.max(atLeast, Math.ceil(atLeastRatio * total));
  if (outcome.succeeded.length < needed) {
    throw new PartialSuccessError(
      `Only ${outcome.succeeded.length} of ${total} succeeded; at least ${needed} were required (atLeast ${atLeast}, atLeastRatio ${atLeastRatio})`,
      outcome,
    );
  }
  return outcome;
}
