import { LRUCache } from 'lru-cache';
import { ConfigError, TroupeError, type TroupeErrorCode } from '../errors.js';
import { type FieldInfo, fieldInfo, fieldsOf, mismatch } from './chainFields.js';
import type { Tool, ToolContext } from './defineTool.js';
import { stableStringify } from './idempotencyKey.js';

/** One step of a chain: a tool, and how its input is taken from what came before. */
export interface ComposeStep {
  tool: Tool;
  /** Input field → the earlier field it is read from, when the names differ: `{ text: 'body' }`. */
  input?: Readonly<Record<string, string>>;
  /** Builds the input from every field so far and the previous output; replaces name matching. */
  map?: (fields: Readonly<Record<string, unknown>>, previous: unknown) => unknown;
}

/** Options of a composed tool. */
export interface ComposeOptions {
  /** The composed tool's name. @default the step names joined by `-` */
  name?: string;
  /** @default 'Runs <steps> in order' */
  description?: string;
  /** @default every capability of every step */
  capabilities?: readonly string[];
  /**
   * Chain inputs whose step results are remembered; `0` turns caching off. A repeated input
   * reuses every step that already succeeded for it, so a chain that failed at step 3 resumes
   * there instead of repeating the side effects of steps 1 and 2. @default 100
   */
  cacheSize?: number;
}

/** The chain cannot work: a step's input cannot be fed from what comes before. `issues` names each field. */
export class ComposeError extends TroupeError {
  readonly issues: readonly string[];
  constructor(name: string, issues: readonly string[]) {
    super('COMPOSE_INVALID', `Cannot compose \`${name}\`: ${issues.join('; ')}`);
    this.name = 'ComposeError';
    this.issues = issues;
  }
}

/** A step of a composed tool failed; `code` and `cause` are the step's own error. */
export class ComposeStepError extends TroupeError {
  /** 1-based position of the failing step. */
  readonly step: number;
  readonly tool: string;
  constructor(chain: string, step: number, tool: string, cause: unknown) {
    const code: TroupeErrorCode = cause instanceof TroupeError ? cause.code : 'TOOL_FAILED';
    const message = cause instanceof Error ? cause.message : String(cause);
    super(code, `Step ${step} (\`${tool}\`) of \`${chain}\` failed: ${message}`, { cause });
    this.name = 'ComposeStepError';
    this.step = step;
    this.tool = tool;
  }
}

interface Plan {
  step: ComposeStep;
  /** Input field → where it comes from, for object inputs wired by name; `undefined` otherwise. */
  wiring: [string, string][] | undefined;
}

/** Checks every step can be fed from what comes before; returns each step's wiring. */
function check(steps: readonly ComposeStep[], issues: string[]): Plan['wiring'][] {
  const first = steps[0] as ComposeStep;
  const available = fieldsOf(first.tool.input) ?? new Map<string, FieldInfo>();
  let previous: FieldInfo | undefined = fieldInfo(first.tool.input);
  const wirings: Plan['wiring'][] = [undefined];
  steps.forEach(({ tool, input: renames = {}, map }, i) => {
    const label = `step ${i + 1} \`${tool.name}\``;
    if (i > 0 && map === undefined) {
      const fields = fieldsOf(tool.input);
      for (const key of Object.keys(renames)) {
        if (fields === undefined || !fields.has(key)) issues.push(`${label} has no input field \`${key}\` to map`);
      }
      if (fields === undefined) {
        const reason = previous === undefined ? undefined : mismatch(previous, fieldInfo(tool.input));
        if (previous === undefined) issues.push(`${label} takes the previous output, whose schema is not declared`);
        else if (reason !== undefined) issues.push(`${label}: the previous output ${reason}`);
        wirings.push(undefined);
      } else {
        const wiring: [string, string][] = [];
        for (const [key, want] of fields) {
          const source = renames[key] ?? key;
          const have = available.get(source);
          if (have === undefined) {
            if (!want.optional) {
              const known = [...available.keys()].map((k) => `\`${k}\``).join(', ') || 'none';
              issues.push(
                `${label} needs input field \`${key}\`, but nothing before it outputs \`${source}\` (available: ${known})`,
              );
            }
            continue;
          }
          const reason = mismatch(have, want);
          if (reason !== undefined) issues.push(`${label} input field \`${key}\`: \`${source}\` ${reason}`);
          wiring.push([key, source]);
        }
        wirings.push(wiring);
      }
    } else if (i > 0) wirings.push(undefined);
    if (tool.output === undefined) {
      previous = undefined;
      if (i < steps.length - 1 && steps[i + 1]?.map === undefined) {
        issues.push(`${label} declares no \`output\` schema, so step ${i + 2} cannot be checked against it`);
      }
      return;
    }
    previous = fieldInfo(tool.output);
    const outputs = fieldsOf(tool.output);
    if (outputs === undefined) available.set(tool.name, previous);
    else for (const [key, info] of outputs) available.set(key, info);
  });
  return wirings;
}

function toStep(value: Tool | ComposeStep, i: number): ComposeStep {
  if (typeof (value as Tool)?.call === 'function') return { tool: value as Tool };
  if (typeof (value as ComposeStep)?.tool?.call === 'function') return value as ComposeStep;
  throw new ConfigError([`compose: expected step ${i + 1} to be a tool or { tool, input?, map? }`]);
}

/**
 * Builds one tool from a chain of tools. Each step's input is wired from the chain's input
 * and earlier outputs by matching field names (or an explicit `input` mapping, or a `map`
 * function); the wiring is checked against the zod schemas when `compose` is called, so a
 * chain whose output cannot feed the next input is rejected (`ComposeError`) before anything
 * runs, naming the fields. A failing step throws `ComposeStepError` with the step's number and
 * its original error; the results of the steps are cached per chain input.
 *
 * @example
 * const pipeline = compose({ name: 'triage' }, fetchPage, parseHtml, { tool: extract, input: { text: 'body' } });
 * await pipeline.call({ url: 'https://example.com' }, context);
 * // => { title: 'Example', entities: [...] }
 */
export function compose(...args: readonly [ComposeOptions | Tool | ComposeStep, ...(Tool | ComposeStep)[]]): Tool {
  const head = args[0];
  const hasOptions = head !== undefined && typeof (head as Tool).call !== 'function' && !('tool' in head);
  const options: ComposeOptions = hasOptions ? (head as ComposeOptions) : {};
  const steps = (hasOptions ? args.slice(1) : args).map((s, i) => toStep(s as Tool | ComposeStep, i));
  if (steps.length < 2) throw new ConfigError([`compose: expected at least 2 steps, got ${steps.length}`]);
  const name =
    options.name ??
    steps
      .map((s) => s.tool.name)
      .join('-')
      .slice(0, 64);
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ConfigError([`compose: expected \`name\` to be a non-empty string, got \`${String(name)}\``]);
  }
  const cacheSize = options.cacheSize ?? 100;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new ConfigError([`compose: expected \`cacheSize\` to be an integer ≥ 0, got \`${cacheSize}\``]);
  }
  const issues: string[] = [];
  const wirings = check(steps, issues);
  if (issues.length > 0) throw new ComposeError(name, issues);
  const plans: Plan[] = steps.map((step, i) => ({ step, wiring: wirings[i] }));
  // Chain input → the outputs of the steps that succeeded for it, in order.
  const cache = cacheSize === 0 ? undefined : new LRUCache<string, unknown[]>({ max: cacheSize });
  const first = (steps[0] as ComposeStep).tool;
  const last = (steps[steps.length - 1] as ComposeStep).tool;

  async function runStep(plan: Plan, i: number, input: unknown, context: ToolContext): Promise<unknown> {
    try {
      return await plan.step.tool.call(input, { ...context, idempotencyKey: `${context.idempotencyKey}:${i}` });
    } catch (err) {
      throw new ComposeStepError(name, i + 1, plan.step.tool.name, err);
    }
  }

  return {
    name,
    description: options.description ?? `Runs ${steps.map((s) => `\`${s.tool.name}\``).join(' → ')} in order`,
    input: first.input,
    output: last.output,
    costUsd: steps.reduce((sum, s) => sum + s.tool.costUsd, 0),
    latencyMs: steps.reduce((sum, s) => sum + s.tool.latencyMs, 0),
    capabilities: options.capabilities ?? [...new Set(steps.flatMap((s) => s.tool.capabilities))],
    jsonSchema: () => first.jsonSchema(),
    async call(input, context) {
      const fields: Record<string, unknown> = {};
      if (typeof input === 'object' && input !== null && !Array.isArray(input)) Object.assign(fields, input);
      let previous: unknown = input;
      const key = cache === undefined ? '' : stableStringify(input);
      let done = cache?.get(key);
      for (let i = 0; i < plans.length; i++) {
        const plan = plans[i] as Plan;
        if (done !== undefined && i < done.length) previous = done[i];
        else {
          let stepInput: unknown = previous;
          if (plan.step.map !== undefined) stepInput = plan.step.map(fields, previous);
          else if (plan.wiring !== undefined) {
            const picked: Record<string, unknown> = {};
            for (const [field, source] of plan.wiring) if (fields[source] !== undefined) picked[field] = fields[source];
            stepInput = picked;
          }
          previous = await runStep(plan, i, stepInput, context);
          if (cache !== undefined) {
            if (done === undefined) {
              done = [];
              cache.set(key, done);
            }
            // A concurrent call with the same input may have recorded this step already.
            if (done.length === i) done.push(previous);
          }
        }
        if (typeof previous === 'object' && previous !== null && !Array.isArray(previous)) {
          Object.assign(fields, previous);
        } else fields[plan.step.tool.name] = previous;
      }
      return previous;
    },
  };
}
