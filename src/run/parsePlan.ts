import { z } from 'zod';
import { ModelOutputError, PlanValidationError } from '../errors.js';
import { plannedTaskSchema } from '../events/schemas.js';
import type { PlannedTask } from '../events/types.js';
import type { Tool } from '../tools/defineTool.js';
import { selectTool } from '../tools/selectTool.js';
import { describeIssues } from '../util/describeIssues.js';

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

function parseJson(raw: string): unknown {
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

/** The ids of tasks on a dependency cycle (Kahn's algorithm leaves exactly those). */
function cyclic(tasks: readonly PlannedTask[]): string[] {
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const task of tasks) {
    indegree.set(task.id, task.dependsOn.length);
    for (const dep of task.dependsOn) {
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [task.id]);
      else list.push(task.id);
    }
  }
  const queue = tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id);
  for (let i = 0; i < queue.length; i++) {
    for (const next of dependents.get(queue[i] as string) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  return [...indegree].filter(([, left]) => left > 0).map(([id]) => id);
}

function checkTask(
  task: PlannedTask,
  ids: ReadonlySet<string>,
  tools: ReadonlyMap<string, Tool>,
  issues: string[],
): void {
  for (const dep of task.dependsOn) {
    if (dep === task.id) issues.push(`task \`${task.id}\` depends on itself`);
    else if (!ids.has(dep)) issues.push(`task \`${task.id}\` depends on \`${dep}\`, which is not in the plan`);
  }
  if (task.kind !== 'tool_call') return;
  // A capability is resolved here, at plan time, so `plan.created` records the chosen tool and
  // a replay or resume runs the same one.
  if (task.tool === undefined && task.capability !== undefined) {
    try {
      task.tool = selectTool(tools, { capability: task.capability }).name;
    } catch (err) {
      issues.push(`task \`${task.id}\` asks for capability \`${task.capability}\`: ${(err as Error).message}`);
      return;
    }
  }
  if (task.tool === undefined) {
    issues.push(`task \`${task.id}\` is a tool_call but names no \`tool\` (nor a \`capability\`)`);
    return;
  }
  const tool = tools.get(task.tool);
  if (tool === undefined) {
    const known = [...tools.keys()].join(', ') || 'none';
    issues.push(`task \`${task.id}\` calls unknown tool \`${task.tool}\` (registered: ${known})`);
    return;
  }
  const input = tool.input.safeParse(task.input ?? {});
  if (!input.success)
    issues.push(`task \`${task.id}\` gives \`${task.tool}\` invalid input: ${describeIssues(input.error)}`);
}

/**
 * Parses a model's answer into a validated task graph. Text that is not JSON or not of the
 * plan's shape is a `ModelOutputError`; a dependency named more than once is kept once (models
 * repeat themselves; the graph is the same). A graph with no tasks, too many, duplicate ids,
 * dangling or self dependencies, cycles, unknown tools or bad tool input is a
 * `PlanValidationError` listing every problem.
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
  const issues: string[] = [];
  const ids = new Set<string>();
  for (const task of tasks) {
    if (ids.has(task.id)) issues.push(`task id \`${task.id}\` is used more than once`);
    ids.add(task.id);
  }
  for (const task of tasks) {
    // A dependency named twice is one dependency: counted twice it would release the task twice.
    if (new Set(task.dependsOn).size < task.dependsOn.length) task.dependsOn = [...new Set(task.dependsOn)];
    checkTask(task, ids, options.tools, issues);
  }
  if (issues.length === 0) {
    const cycle = cyclic(tasks);
    if (cycle.length > 0) issues.push(`tasks ${cycle.map((id) => `\`${id}\``).join(', ')} form a dependency cycle`);
  }
  if (issues.length > 0) throw new PlanValidationError(issues);
  return tasks;
}
