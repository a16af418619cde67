import type { PlannedTask } from '../events/types.js';
import type { Tool } from '../tools/defineTool.js';
import { selectTool } from '../tools/selectTool.js';
import { describeIssues } from '../util/describeIssues.js';
import { findReferences, hasReferences } from './references.js';

/** A task recorded before this plan (a revision's context): new tasks may depend on it. */
export interface ExistingTask {
  /** Whether it can still give its output to a task that depends on it. */
  readonly usable: boolean;
  /** Its status, named in issues. */
  readonly status: string;
}

/** What a task graph is checked against. */
export interface GraphContext {
  /** The tools a `tool_call` task may name. */
  readonly tools: ReadonlyMap<string, Tool>;
  /** Tasks already recorded and not replaced (a revision's started tasks); empty for a first plan. */
  readonly existing?: ReadonlyMap<string, ExistingTask>;
}

// Something written like a reference to a task that is not one: `{{draft.result}}`, `{{ draft.output }}`.
const lookalike = /\{\{\s*([^.{}\s]+)\s*\.([^{}]*)\}\}/g;

function checkReferences(task: PlannedTask, known: (id: string) => boolean, issues: string[]): void {
  if (task.input === undefined) return;
  for (const ref of findReferences(task.input)) {
    if (ref.taskId === task.id) issues.push(`task \`${task.id}\` references ${ref.text}, its own output`);
    else if (!known(ref.taskId)) {
      issues.push(`task \`${task.id}\` references ${ref.text}, but no task \`${ref.taskId}\` is in the plan`);
    } else if (!task.dependsOn.includes(ref.taskId)) task.dependsOn.push(ref.taskId);
  }
  const text = JSON.stringify(task.input);
  for (const match of text.matchAll(lookalike)) {
    const written = match[0].replaceAll('\\"', '"');
    if (known(match[1] as string) && findReferences(written).length === 0) {
      issues.push(
        `task \`${task.id}\` writes ${written}; a reference is {{${match[1]}.output}} or {{${match[1]}.output.<path>}}`,
      );
    }
  }
}

/** A processing task's `tools` allow-list names registered tools only. */
function checkAllowList(task: PlannedTask, tools: ReadonlyMap<string, Tool>, issues: string[]): void {
  if (task.tools === undefined) return;
  if (task.kind !== 'processing')
    issues.push(`task \`${task.id}\` lists \`tools\`, but only processing tasks call tools`);
  const known = [...tools.keys()].join(', ') || 'none';
  for (const name of task.tools) {
    if (!tools.has(name)) issues.push(`task \`${task.id}\` may call unknown tool \`${name}\` (registered: ${known})`);
  }
}

function checkTool(task: PlannedTask, tools: ReadonlyMap<string, Tool>, issues: string[]): void {
  checkAllowList(task, tools, issues);
  if (task.kind !== 'tool_call') return;
  // A capability is resolved here, at plan time, so the recorded plan names the chosen tool and
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
  // Input with references is checked once they are resolved, when the task becomes ready.
  if (hasReferences(task.input)) return;
  const input = tool.input.safeParse(task.input ?? {});
  if (!input.success)
    issues.push(`task \`${task.id}\` gives \`${task.tool}\` invalid input: ${describeIssues(input.error)}`);
}

/** The ids of tasks on a dependency cycle (Kahn's algorithm leaves exactly those). */
function cyclic(tasks: readonly PlannedTask[]): Set<string> {
  const ids = new Set(tasks.map((t) => t.id));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const task of tasks) {
    const inPlan = task.dependsOn.filter((dep) => ids.has(dep));
    indegree.set(task.id, inPlan.length);
    for (const dep of inPlan) {
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [task.id]);
      else list.push(task.id);
    }
  }
  const queue = tasks.filter((t) => indegree.get(t.id) === 0).map((t) => t.id);
  for (let i = 0; i < queue.length; i++) {
    for (const next of dependents.get(queue[i] as string) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  return new Set([...indegree].filter(([, left]) => left > 0).map(([id]) => id));
}

function checkCycle(tasks: readonly PlannedTask[], issues: string[]): void {
  const cycle = cyclic(tasks);
  if (cycle.size === 0) return;
  const before = issues.length;
  for (const task of tasks) {
    if (!cycle.has(task.id) || task.input === undefined) continue;
    for (const ref of findReferences(task.input)) {
      if (cycle.has(ref.taskId) && ref.taskId !== task.id) {
        issues.push(`task \`${task.id}\` references ${ref.text}, which closes a dependency cycle`);
      }
    }
  }
  if (issues.length === before) {
    issues.push(`tasks ${[...cycle].map((id) => `\`${id}\``).join(', ')} form a dependency cycle`);
  }
}

/** A clarification asks `input.question`, else its description: blank, the run would wait on nothing. */
function checkQuestion(task: PlannedTask, issues: string[]): void {
  const { question } = (task.input ?? {}) as { question?: unknown };
  const asked = question === undefined ? task.description : question;
  if (typeof asked !== 'string' || asked.trim() === '') {
    const where = question === undefined ? '`description`' : '`input.question`';
    issues.push(`task \`${task.id}\` is a clarification whose question (${where}) is blank or not text`);
  }
}

/**
 * Checks a plan's tasks as a graph and completes them in place: every reference
 * `{{<id>.output…}}` in an input must name another task of the plan (or a usable existing one),
 * and becomes a dependency when `dependsOn` omits it; a capability becomes the tool it selects.
 * Returns one line per problem: duplicate ids, dangling or self dependencies, references to
 * unknown tasks, to the task itself or closing a cycle, unknown tools and bad tool input.
 *
 * @example
 * const issues = checkGraph([{ id: 'post', …, input: { text: '{{draft.output}}' } }, draft], { tools });
 * // => [] and post.dependsOn is ['draft']
 */
export function checkGraph(tasks: PlannedTask[], context: GraphContext): string[] {
  const issues: string[] = [];
  const existing = context.existing ?? new Map<string, ExistingTask>();
  const ids = new Set<string>();
  for (const task of tasks) {
    if (ids.has(task.id)) issues.push(`task id \`${task.id}\` is used more than once`);
    ids.add(task.id);
  }
  const known = (id: string) => ids.has(id) || existing.has(id);
  for (const task of tasks) {
    // A dependency named twice is one dependency: counted twice it would release the task twice.
    if (new Set(task.dependsOn).size < task.dependsOn.length) task.dependsOn = [...new Set(task.dependsOn)];
    checkReferences(task, known, issues);
    for (const dep of task.dependsOn) {
      const before = existing.get(dep);
      if (dep === task.id) issues.push(`task \`${task.id}\` depends on itself`);
      else if (!known(dep)) issues.push(`task \`${task.id}\` depends on \`${dep}\`, which is not in the plan`);
      else if (before !== undefined && !ids.has(dep) && !before.usable) {
        issues.push(`task \`${task.id}\` depends on \`${dep}\`, which ${before.status} and will give no output`);
      }
    }
    checkTool(task, context.tools, issues);
    if (task.kind === 'clarification') checkQuestion(task, issues);
  }
  if (issues.length === 0) checkCycle(tasks, issues);
  return issues;
}
