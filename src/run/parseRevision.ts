import { z } from 'zod';
import { ModelOutputError, PlanValidationError } from '../errors.js';
import { plannedTaskSchema } from '../events/schemas.js';
import type { PlannedTask } from '../events/types.js';
import type { Tool } from '../tools/defineTool.js';
import { describeIssues } from '../util/describeIssues.js';
import { parseJson } from './parsePlan.js';
import { checkGraph, type ExistingTask } from './planGraph.js';
import type { RunState, TaskState } from './state.js';

/** The shape a model's revision must have: tasks to add or replace, ids of tasks to drop. */
export const revisionOutputSchema = z.object({
  tasks: z.array(plannedTaskSchema).default([]),
  drop: z.array(z.string()).default([]),
});

/** A validated revision, as `plan.revised` records it. */
export interface Revision {
  tasks: PlannedTask[];
  dropped: string[];
}

function asPlanned(task: TaskState): PlannedTask {
  return {
    id: task.id,
    description: task.description,
    kind: task.kind,
    dependsOn: [...task.dependsOn],
    ...(task.tool === undefined ? {} : { tool: task.tool }),
    ...(task.input === undefined ? {} : { input: task.input }),
    ...(task.optional === true ? { optional: true } : {}),
  };
}

const usable = new Set(['completed', 'running', 'needs_clarification', 'awaiting_review']);

/**
 * Parses a model's revision of a running plan: `{ tasks, drop }`. New ids are added, ids of
 * tasks not started yet are replaced, `drop` removes tasks not started yet; completed results
 * stay. The revised plan is checked like a first plan (references, dependencies, cycles, tools,
 * `maxTasks`), and no task left to run may depend on one that failed or was skipped. Junk is a
 * `ModelOutputError`, a bad graph a `PlanValidationError` listing every problem.
 *
 * @example
 * parseRevision('{"tasks":[{"id":"alt","description":"use the backup","kind":"tool_call","tool":"backup"}],"drop":["draft"]}', state, { tools, maxTasks })
 * // => { tasks: [{ id: 'alt', … }], dropped: ['draft'] }
 */
export function parseRevision(
  raw: string,
  state: RunState,
  options: { tools: ReadonlyMap<string, Tool>; maxTasks: number },
): Revision {
  const parsed = revisionOutputSchema.safeParse(parseJson(raw));
  if (!parsed.success) {
    throw new ModelOutputError(
      `Expected a revision of the form { tasks: [...], drop: [...] }: ${describeIssues(parsed.error)}`,
      raw,
    );
  }
  const { tasks, drop } = parsed.data;
  const issues: string[] = [];
  const touched = new Set<string>([...drop, ...tasks.map((t) => t.id)]);
  for (const id of touched) {
    const before = state.tasks.get(id);
    if (before !== undefined && before.status !== 'planned') {
      issues.push(`task \`${id}\` is ${before.status}: a revision may only add, replace or drop tasks not yet started`);
    } else if (before === undefined && drop.includes(id)) {
      issues.push(`task \`${id}\` cannot be dropped: it is not in the plan`);
    }
  }
  const existing = new Map<string, ExistingTask>();
  const kept: PlannedTask[] = [];
  for (const task of state.tasks.values()) {
    if (touched.has(task.id) && task.status === 'planned') continue;
    if (task.status === 'planned') kept.push(asPlanned(task));
    else existing.set(task.id, { usable: usable.has(task.status), status: task.status });
  }
  const fresh = tasks.filter((t) => !drop.includes(t.id));
  const total = existing.size + kept.length + fresh.length;
  if (total > options.maxTasks) {
    issues.push(`the revised plan has ${total} tasks; at most ${options.maxTasks} are allowed (maxTasks)`);
  }
  issues.push(...checkGraph([...kept, ...fresh], { tools: options.tools, existing }));
  if (issues.length > 0) throw new PlanValidationError(issues);
  return { tasks: fresh, dropped: drop.filter((id) => state.tasks.has(id)) };
}
