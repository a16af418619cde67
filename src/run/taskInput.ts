import { ToolInputError } from '../errors.js';
import type { Tool } from '../tools/defineTool.js';
import { describeIssues } from '../util/describeIssues.js';
import { findReferences, hasReferences, resolveReferences } from './references.js';
import type { RunState, TaskState } from './state.js';

/** A task's input for its next attempt: `resolved` when references were replaced (to record in `task.started`). */
export interface TaskInput {
  input: unknown;
  resolved: boolean;
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The references written where the schema found problems; every reference when none is found there. */
function culprits(template: unknown, paths: readonly (readonly PropertyKey[])[]): string[] {
  const named = new Set<string>();
  for (const path of paths) {
    for (let depth = path.length; depth >= 0; depth--) {
      const refs = findReferences(at(template, path.slice(0, depth)));
      if (refs.length === 0) continue;
      for (const ref of refs) named.add(ref.text);
      break;
    }
  }
  if (named.size === 0) for (const ref of findReferences(template)) named.add(ref.text);
  return [...named];
}

/**
 * The input a task runs with. A task whose plan input holds `{{<id>.output…}}` references gets
 * them resolved from its dependencies' recorded outputs, once, when it first becomes ready;
 * after that (a retry, a resume) the recorded input is used as is, so its idempotency key
 * never changes. A missing path is a `PlanReferenceError`; a resolved input that fails `tool`'s
 * schema is a `ToolInputError` naming the references it came from. Pure: nothing is recorded.
 *
 * @example
 * taskInput(state, postTask, postToX)
 * // => { input: { text: 'Agents need ops too.' }, resolved: true }
 */
export function taskInput(state: RunState, task: TaskState, tool: Tool | undefined): TaskInput {
  const template = task.input;
  if (task.inputResolved === true || !hasReferences(template)) return { input: template, resolved: false };
  const input = resolveReferences(task.id, template, (id) => {
    const dep = state.tasks.get(id);
    return dep?.status === 'completed' ? { output: dep.output } : undefined;
  });
  if (tool !== undefined) {
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) {
      const refs = culprits(
        template,
        parsed.error.issues.map((i) => i.path),
      ).join(', ');
      throw new ToolInputError(
        tool.name,
        `Task \`${task.id}\`: the input resolved from ${refs} is invalid for tool \`${tool.name}\`: ${describeIssues(parsed.error)}`,
      );
    }
  }
  return { input, resolved: true };
}
