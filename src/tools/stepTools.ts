import type { ToolSpec } from '../model/Model.js';
import type { Tool } from './defineTool.js';

/**
 * What a model is told about each tool: name, description, the JSON Schema of its input and
 * its capabilities. The Planner plans with these; a processing step calls them.
 *
 * @example
 * toolSpecs([add])
 * // => [{ name: 'add', description: 'Adds two numbers', inputSchema: { type: 'object', … }, capabilities: [] }]
 */
export function toolSpecs(tools: Iterable<Tool>): ToolSpec[] {
  return [...tools].map((t) => ({
    name: t.name,
    description: t.description,
    inputSchema: t.jsonSchema(),
    capabilities: t.capabilities,
  }));
}

/**
 * The tools a processing step may call: those its plan entry lists in `tools` (its
 * allow-list), or every tool of the run when it lists none. Names the run does not know are
 * left out (the plan was checked against the run's tools when it was made).
 *
 * @example
 * stepTools(runTools, { tools: ['trends'] }).map((t) => t.name)
 * // => ['trends']
 */
export function stepTools(tools: ReadonlyMap<string, Tool>, task: { tools?: readonly string[] | undefined }): Tool[] {
  if (task.tools === undefined) return [...tools.values()];
  return task.tools.flatMap((name) => tools.get(name) ?? []);
}
