import { z } from 'zod';
import { toErrorInfo } from '../errors.js';
import type { SubAgentRecord } from '../events/types.js';
import type { EventLog } from '../log/EventLog.js';
import { defineTool, type Tool } from '../tools/defineTool.js';
import { dispatchAgents } from './dispatchAgents.js';
import type { TemplateArgs } from './template.js';
import type { DispatchOptions, SubAgentResult } from './types.js';

/** A sub-agent result as plain JSON: what a dispatch task outputs and `subagent.completed` records. */
export interface SubAgentSummary {
  index: number;
  args: unknown;
  output: unknown;
  success: boolean;
  error?: { code: string; message: string };
  durationMs: number;
  costUsd: number;
  idempotencyKey: string;
}

/** The definition `dispatchTool` takes: a tool's name and description, and a fixed dispatch. */
export interface DispatchToolDefinition<O, A extends TemplateArgs>
  extends Omit<DispatchOptions<O, A, unknown>, 'arguments' | 'aggregate' | 'signal' | 'onResult' | 'log'> {
  name: string;
  description: string;
  /** The zod schema of one argument object; the task's input is `{ arguments: [...] }` of it. */
  argument: z.ZodType<A>;
  /** A log to look up sub-agents already recorded in the run (after a resume), so they are not run again. */
  log?: EventLog;
}

function record(result: SubAgentResult): SubAgentRecord {
  return {
    idempotencyKey: result.idempotencyKey,
    ...(result.parentKey === undefined ? {} : { parentKey: result.parentKey }),
    depth: result.depth,
    index: result.index,
    args: result.args,
    output: result.output,
    success: result.success,
    ...(result.error === undefined ? {} : { error: toErrorInfo(result.error) }),
    durationMs: result.durationMs,
    costUsd: result.costUsd,
    cached: result.cached,
  };
}

/** The plain-JSON form of a result, for task outputs and logs. */
export function summarizeResult(result: SubAgentResult): SubAgentSummary {
  return {
    index: result.index,
    args: result.args,
    output: result.output,
    success: result.success,
    ...(result.error === undefined ? {} : { error: toErrorInfo(result.error) }),
    durationMs: result.durationMs,
    costUsd: result.costUsd,
    idempotencyKey: result.idempotencyKey,
  };
}

/**
 * A tool whose call is a dispatch, so a Planner task can fan out to sub-agents. Run inside a
 * run, every sub-agent of the tree (nested ones too) is recorded as `subagent.completed` in
 * the run's log, caused by the task's event; the task's output is every result as JSON.
 *
 * @example
 * const reviewAll = dispatchTool({
 *   name: 'reviewAll',
 *   description: 'Reviews each file in parallel',
 *   template: 'Review {{path}}',
 *   argument: z.object({ path: z.string() }),
 *   agent: review,
 *   maxParallel: 20,
 * });
 * createRuntime({ tools: [reviewAll], model });
 * // a task { tool: 'reviewAll', input: { arguments: [{ path: 'a.ts' }, { path: 'b.ts' }] } }
 * // => output [{ index: 0, success: true, output: ... }, { index: 1, ... }]
 */
export function dispatchTool<O, A extends TemplateArgs>(
  definition: DispatchToolDefinition<O, A>,
): Tool<{ arguments: A[] }, SubAgentSummary[]> {
  const { name, description, argument, log, ...dispatch } = definition;
  return defineTool({
    name,
    description,
    input: z.object({ arguments: z.array(argument).min(1) }),
    run: async (input, context) => {
      const recordSubAgent = context.recordSubAgent;
      // A record the run refuses (its arguments hold a Date…) fails this call once the dispatch
      // settles; thrown inside the dispatch's stream it would have nowhere to go.
      let refused: unknown;
      const onResult = (result: SubAgentResult) => {
        try {
          recordSubAgent?.(record(result));
        } catch (err) {
          refused ??= err;
        }
      };
      const results = await dispatchAgents<O, A>({
        ...dispatch,
        arguments: input.arguments as A[],
        signal: context.signal,
        ...(log === undefined ? {} : { log: { log, runId: context.runId } }),
        ...(recordSubAgent === undefined ? {} : { onResult }),
      });
      if (refused !== undefined) throw refused;
      return results.map((r) => summarizeResult(r as SubAgentResult));
    },
  }) as Tool<{ arguments: A[] }, SubAgentSummary[]>;
}
