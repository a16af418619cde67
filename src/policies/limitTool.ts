import type { MonoTypeOperatorFunction } from 'rxjs';
import { z } from 'zod';
import { bulkhead } from '../streams/bulkhead.js';
import { rateLimit } from '../streams/rateLimit.js';
import type { Tool } from '../tools/defineTool.js';
import { abortReason } from '../util/abort.js';
import { defer, type Observable } from '../util/rx.js';

/** `RuntimeOptions.toolLimits[name]`: a bulkhead and/or a rate limit for one tool. */
export const toolLimitsSchema = z
  .object({
    /** Calls of this tool running at once, across every run of the runtime. */
    maxConcurrent: z.number().int().min(1).optional(),
    /** Calls waiting for a slot; one more fails with `BULKHEAD_FULL` (and its task may retry). @default 1000 */
    maxQueued: z.number().int().min(0).optional(),
    /** At most `limit` calls start in any `intervalMs`. */
    rate: z
      .object({ limit: z.number().int().min(1), intervalMs: z.number().int().min(1) })
      .strict()
      .optional(),
  })
  .strict();

/** Limits of one tool, shared by every run of a runtime (a provider's quota is not per run). */
export type ToolLimits = z.infer<typeof toolLimitsSchema>;

/**
 * Wraps a tool in its limits: a `bulkhead` when `maxConcurrent` is set, a `rateLimit` when
 * `rate` is. The tool itself comes back when neither is set, so nothing sits in the call path.
 * A call whose signal aborts while it waits leaves the queue without running.
 *
 * @example
 * const search = limitTool(searchTool, { maxConcurrent: 2, maxQueued: 50, rate: { limit: 10, intervalMs: 1_000 } });
 * await search.call(input, context);
 * // => the output, once a slot and the rate allow it
 */
export function limitTool(tool: Tool, limits: ToolLimits | undefined): Tool {
  const operators: MonoTypeOperatorFunction<unknown>[] = [];
  if (limits?.rate !== undefined) operators.push(rateLimit(limits.rate));
  if (limits?.maxConcurrent !== undefined) {
    operators.push(
      bulkhead({ name: tool.name, maxConcurrent: limits.maxConcurrent, maxQueued: limits.maxQueued ?? 1_000 }),
    );
  }
  if (operators.length === 0) return tool;
  const limit = (source: Observable<unknown>) => operators.reduce((call$, op) => op(call$), source);
  return {
    ...tool,
    call: (input, context) =>
      new Promise((resolve, reject) => {
        const { signal } = context;
        if (signal.aborted) {
          reject(abortReason(signal));
          return;
        }
        const onAbort = () => {
          subscription.unsubscribe();
          reject(abortReason(signal));
        };
        const subscription = limit(defer(() => tool.call(input, context))).subscribe({
          next: (value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
          },
          error: (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
          },
        });
        if (!subscription.closed) signal.addEventListener('abort', onAbort, { once: true });
      }),
  };
}
