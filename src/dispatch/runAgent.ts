import { ToolOutputError, ToolTimeoutError, TroupeError } from '../errors.js';
import { idempotencyKey } from '../tools/idempotencyKey.js';
import { deadline, raceAbort } from '../util/abort.js';
import type { ParentScope, PreparedDispatch } from './prepare.js';
import type { TemplateArgs } from './template.js';
import type { AgentContext, SubAgentResult } from './types.js';

/** How a nested dispatch is started from an agent's context (given by the stream, to avoid a cycle). */
export interface Nesting {
  dispatch$: AgentContext['dispatch$'];
  dispatchAgents: AgentContext['dispatchAgents'];
}

/** Why a value cannot be recorded as JSON, or `undefined` when it can. */
function unserialisable(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path} is a circular reference`;
      const proto = Object.getPrototypeOf(value);
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        return `${path} is a ${value.constructor?.name ?? 'class instance'}, not plain data`;
      }
      seen.add(value);
      for (const [key, item] of Object.entries(value)) {
        const problem = unserialisable(item, `${path}.${key}`, seen);
        if (problem !== undefined) return problem;
      }
      seen.delete(value);
      return undefined;
    }
    default:
      return `${path} is a ${typeof value}`;
  }
}

function asTroupeError(err: unknown, index: number, depth: number): TroupeError {
  if (err instanceof TroupeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TroupeError('TOOL_FAILED', `Agent ${index} (depth ${depth}) failed: ${message}`, { cause: err });
}

/**
 * Runs one agent of a prepared dispatch: from the cache when its key is known, otherwise
 * under its own deadline and the dispatch's signal. Never rejects: a failure is a result.
 */
export async function runAgent<O, A extends TemplateArgs>(
  plan: PreparedDispatch<O, A>,
  index: number,
  signal: AbortSignal,
  nesting: (scope: ParentScope) => Nesting,
): Promise<SubAgentResult<O, A>> {
  const { tree, depth, timeoutMs } = plan;
  const args = plan.args[index] as A;
  const prompt = plan.prompts[index] as string;
  const key = idempotencyKey(plan.name, plan.template.source, args);
  const base = { index, args, prompt, idempotencyKey: key, depth, parentKey: plan.parent?.key };
  const hit = tree.lookup(key);
  if (hit !== undefined) {
    const cached = { ...base, output: hit.output as O, error: undefined, success: true, durationMs: 0, costUsd: 0 };
    return { ...cached, cached: true };
  }
  const started = performance.now();
  const limit = deadline(
    signal,
    timeoutMs,
    () => new ToolTimeoutError(`Agent ${index} (depth ${depth}) of \`${plan.name}\``, timeoutMs),
  );
  let costUsd = 0;
  try {
    if (tree.rateLimited) await tree.gate(limit.signal);
    const scope: ParentScope = { tree, limits: plan.limits, depth, key, signal: limit.signal };
    const context: AgentContext<A> = {
      signal: limit.signal,
      depth,
      idempotencyKey: key,
      args,
      addCost(usd) {
        if (Number.isFinite(usd) && usd > 0) costUsd += usd;
        tree.charge(usd);
      },
      ...nesting(scope),
    };
    const output = await raceAbort(Promise.resolve(plan.agent(prompt, context)), limit.signal);
    const problem = unserialisable(output, 'output', new Set());
    if (problem !== undefined) {
      throw new ToolOutputError(
        plan.name,
        `Agent ${index} (depth ${depth}) returned output that is not JSON: ${problem}`,
      );
    }
    tree.cache?.set(key, { output, costUsd });
    const durationMs = performance.now() - started;
    return { ...base, output, error: undefined, success: true, durationMs, costUsd, cached: false };
  } catch (err) {
    const error = asTroupeError(err, index, depth);
    const durationMs = performance.now() - started;
    return { ...base, output: undefined, error, success: false, durationMs, costUsd, cached: false };
  } finally {
    limit.dispose();
  }
}
