import { isAggregateOperator } from '../streams/asAggregate.js';
import { collectAll } from '../streams/collectAll.js';
import { lastValueFrom, type Observable } from '../util/rx.js';
import type { TemplateArgs } from './template.js';
import type { Aggregate, SubAgentResult } from './types.js';

/**
 * Reduces a dispatch's results to its value: all results in argument order by default, a
 * marked operator piped over the live stream, or a function of the collected array.
 */
export async function aggregateResults<O, A extends TemplateArgs, R>(
  results$: Observable<SubAgentResult<O, A>>,
  aggregate: Aggregate<O, A, R> | undefined,
): Promise<R> {
  if (aggregate === undefined) return (await lastValueFrom(results$.pipe(collectAll()))) as R;
  if (isAggregateOperator(aggregate)) {
    return lastValueFrom(results$.pipe(aggregate as (source: Observable<SubAgentResult<O, A>>) => Observable<R>));
  }
  const results = await lastValueFrom(results$.pipe(collectAll()));
  return (aggregate as (results: SubAgentResult<O, A>[]) => R | Promise<R>)(results);
}
