import { z } from 'zod';
import { ModelOutputError, PlanValidationError } from '../errors.js';
import { plannedTaskSchema } from '../events/schemas.js';
import type { PlannedTask } from '../events/types.js';
import type { Tool } from '../tools/defineTool.js';
import { describeIssues } from '../util/describeIssues.js';
import { checkGraph } from './planGraph.js';

/** The shape a model's plan must have. */
export const planOutputSchema = z.object({ tasks: z.array(plannedTaskSchema) });

/** Options of `parsePlan`. */
export interface ParsePlanOptions {
  /** The tools a `tool_call` task may name. */
  tools: ReadonlyMap<string, Tool>;
  /** The most tasks a plan may hold. */
  maxTasks: number;
}

const fence = /^```(?:json)?\s*([\s\S]*?)\s*```$/;

/** Reads a model's JSON answer, with or without a code fence around it. */
export function parseJson(raw: string): unknown {
  const trimmed = raw.trim();
  const text = fence.exec(trimmed)?.[1] ?? trimmed;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelOutputError(
      `Expected the plan as JSON, got text that does not parse (${(err as Error).message})`,
      raw,
      {
        cause: err,
      },
    );
  }
}

/**
 * Parses a model's answer into a validated task graph. Text that is not JSON or not of the
 * plan's shape is a `ModelOutputError`; a dependency named more than once is kept once (models
 * repeat themselves; the graph is the same). A graph with no tasks, too many, duplicate ids,
 * dangling or self dependencies, cycles, references to unknown tasks, to the task itself or
 * closing a cycle, unknown tools or bad tool input is a `PlanValidationError` listing every
 * problem. A task referenced with `{{<id>.output…}}` is added to `dependsOn` when the plan
 * omits it, so the returned (and recorded) plan is resolved.
 *
 * @example
 * parsePlan('{"tasks":[{"id":"a","description":"say hi","kind":"processing"}]}', { tools, maxTasks: 100 })
 * // => [{ id: 'a', description: 'say hi', kind: 'processing', dependsOn: [] }]
 */
export function parsePlan(raw: string, options: ParsePlanOptions): PlannedTask[] {
  const parsed = planOutputSchema.safeParse(parseJson(raw));
  if (!parsed.success) {
    throw new ModelOutputError(`Expected a plan of the form { tasks: [...] }: ${describeIssues(parsed.error)}`, raw);
  }
  const { tasks } = parsed.data;
  if (tasks.length === 0) throw new PlanValidationError(['the plan has no tasks']);
  if (tasks.length > options.maxTasks) {
    throw new PlanValidationError([
      `the plan has ${tasks.length} tasks; at most ${options.maxTasks} are allowed (maxTasks)`,
    ]);
  }
  const issues = checkGraph(tasks, { tools: options.tools });
  if (issues.length > 0) throw new PlanValidationError(issues);
  return tasks;
}
