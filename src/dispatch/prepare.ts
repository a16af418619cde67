import { ConfigError, ModelOutputError, ToolInputError } from '../errors.js';
import { checkReply } from '../model/checkReply.js';
import type { Model } from '../model/Model.js';
import { DispatchTree } from './budget.js';
import { type ResolvedLimits, resolveLimits, treeWideLimits } from './limits.js';
import { defaultDispatchScreen, screenDispatch } from './screen.js';
import { type ParsedTemplate, parseTemplate, type TemplateArgs } from './template.js';
import type { Agent, DispatchOptions } from './types.js';

/** The agent a nested dispatch runs under: what its children inherit from it. */
export interface DispatchParent {
  readonly depth: number;
  readonly idempotencyKey: string;
  /** Aborts when the parent agent stops; its children stop with it. */
  readonly signal: AbortSignal;
  readonly plan: { readonly limits: ResolvedLimits; readonly tree: DispatchTree };
}

/** A dispatch checked and ready to run: nothing has started yet. */
export interface PreparedDispatch<O, A extends TemplateArgs> {
  agent: Agent<O, A>;
  name: string;
  template: ParsedTemplate;
  args: readonly A[];
  prompts: string[];
  concurrency: number;
  timeoutMs: number;
  limits: ResolvedLimits;
  depth: number;
  tree: DispatchTree;
  /** The agent that started this dispatch; `undefined` for a root dispatch. */
  parent: DispatchParent | undefined;
}

function positiveInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError([`Expected \`${field}\` to be an integer ≥ 1, got \`${String(value)}\``]);
  }
  return value;
}

/** An agent that asks `model` one `process` request per prompt and returns its text. */
function modelAgent(model: Model): Agent<string> {
  return async (prompt, context) => {
    const task = {
      id: `agent-${context.idempotencyKey}`,
      description: prompt,
      kind: 'processing' as const,
      dependsOn: [],
    };
    const request = {
      purpose: 'process' as const,
      goal: prompt,
      task,
      inputs: context.args,
      messages: [{ role: 'user' as const, content: prompt }],
    };
    const reply = checkReply(await model.complete(request, { signal: context.signal }), request, model.name);
    if (reply.clarification !== undefined) {
      throw new ModelOutputError(`Model \`${model.name}\` asked a question instead of answering`, reply.clarification);
    }
    return reply.content;
  };
}

/** The limits of a nested dispatch: its own over those its parent passes down. */
function nestedLimits(
  options: DispatchOptions<unknown, TemplateArgs, unknown>,
  parent: DispatchParent,
): ResolvedLimits {
  const given = options.limits ?? {};
  const misplaced = treeWideLimits.filter((field) => given[field] !== undefined);
  if (misplaced.length > 0) {
    throw new ConfigError(
      misplaced.map(
        (field) =>
          `\`limits.${field}\` is tree-wide: set it on the root dispatch, not a nested one (depth ${parent.depth + 1})`,
      ),
    );
  }
  const parentLimits = parent.plan.limits;
  const { maxConcurrent, maxAgentDurationMs, costPerAgentEstimate } = parentLimits;
  const limits = resolveLimits({ maxConcurrent, maxAgentDurationMs, costPerAgentEstimate, ...given });
  return { ...limits, ...Object.fromEntries(treeWideLimits.map((field) => [field, parentLimits[field]])) };
}

/**
 * Checks a dispatch before anything runs: options, the template against every argument, the
 * screen, and the tree's limits (depth, agent count, estimated cost). Throws the typed error
 * of the first problem; on success the agents are admitted to the tree's budget.
 */
export async function prepare<O, A extends TemplateArgs>(
  options: DispatchOptions<O, A, unknown>,
  parent: DispatchParent | undefined,
): Promise<PreparedDispatch<O, A>> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError([`Expected dispatch options to be an object, got \`${String(options)}\``]);
  }
  const { agent, model } = options;
  if ((agent === undefined) === (model === undefined)) {
    throw new ConfigError([
      `Expected exactly one of \`agent\` (a function) or \`model\` (a Model), got ${agent ? 'both' : 'neither'}`,
    ]);
  }
  if (agent !== undefined && typeof agent !== 'function') {
    throw new ConfigError([`Expected \`agent\` to be a function, got \`${typeof agent}\``]);
  }
  if (model !== undefined && typeof model?.complete !== 'function') {
    throw new ConfigError(['Expected `model` to be a Model (an object with a `complete` method)']);
  }
  const maxParallel = positiveInteger('maxParallel', options.maxParallel ?? 10);
  const args = options.arguments;
  if (!Array.isArray(args) || args.length === 0) {
    throw new ToolInputError(
      'dispatchAgents',
      `Expected \`arguments\` to be a non-empty array of objects, got \`${Array.isArray(args) ? '[]' : String(args)}\``,
    );
  }
  const limits =
    parent === undefined
      ? resolveLimits(options.limits)
      : nestedLimits(options as DispatchOptions<unknown, TemplateArgs, unknown>, parent);
  const timeoutMs = Math.min(
    positiveInteger('timeoutMs', options.timeoutMs ?? limits.maxAgentDurationMs),
    limits.maxAgentDurationMs,
  );
  const template = parseTemplate(options.template);
  const prompts = args.map((a, i) => template.fill(a, i));
  const screen = options.screen ?? defaultDispatchScreen;
  if (screen !== false) screenDispatch(screen, template.source, args);
  const depth = parent === undefined ? 1 : parent.depth + 1;
  const tree = parent?.plan.tree ?? new DispatchTree(limits, options.cache, options.onResult);
  if (parent === undefined && options.log !== undefined) {
    for (const event of await options.log.log.read(options.log.runId)) {
      if (event.type === 'subagent.completed' && event.success) {
        tree.recorded.set(event.idempotencyKey, { output: event.output, costUsd: event.costUsd });
      }
    }
  }
  tree.admit(args.length, depth, limits.costPerAgentEstimate);
  const run = (agent ?? modelAgent(model as Model)) as Agent<O, A>;
  return {
    agent: run,
    name: options.name ?? (agent === undefined ? `model:${(model as Model).name}` : agent.name || 'agent'),
    template,
    args,
    prompts,
    concurrency: Math.min(maxParallel, limits.maxConcurrent),
    timeoutMs,
    limits,
    depth,
    tree,
    parent,
  };
}
