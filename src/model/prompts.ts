import type { PlannedTask } from '../events/types.js';
import type { ChatMessage, TaskResult, ToolSpec } from './Model.js';

const planSystem = [
  'You are the planner of an agent runtime. Break the user goal into a small graph of tasks.',
  'Answer with JSON only: {"tasks":[{"id","description","kind","dependsOn","tool","input"}]}.',
  'kind is "tool_call" (set tool to one of the listed tools and input to its arguments),',
  '"processing" (a reasoning or writing step you will do later), or "clarification" (a question',
  'for the human, when the goal is ambiguous). dependsOn lists ids of tasks that must finish first.',
].join(' ');

/** The prompt that asks a model for a plan. */
export function planMessages(goal: string, tools: readonly ToolSpec[], feedback?: string): ChatMessage[] {
  const toolList =
    tools.length === 0
      ? 'No tools are available.'
      : tools.map((t) => `- ${t.name}: ${t.description}\n  input schema: ${JSON.stringify(t.inputSchema)}`).join('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: `${planSystem}\nTools:\n${toolList}` },
    { role: 'user', content: goal },
  ];
  if (feedback !== undefined) {
    messages.push({
      role: 'user',
      content: `Your previous plan was refused: ${feedback}\nAnswer again with a corrected plan.`,
    });
  }
  return messages;
}

/** The prompt that asks a model to carry out one processing task. */
export function processMessages(
  goal: string,
  task: PlannedTask,
  inputs: Readonly<Record<string, unknown>>,
  answer: string | undefined,
): ChatMessage[] {
  const context = Object.keys(inputs).length === 0 ? '' : `\nResults of earlier tasks: ${JSON.stringify(inputs)}`;
  const human = answer === undefined ? '' : `\nThe human answered your question: ${answer}`;
  return [
    { role: 'system', content: `You carry out one step of a plan for the goal: ${goal}` },
    { role: 'user', content: `${task.description}${context}${human}` },
  ];
}

/** The prompt that asks a model for a run's final answer. */
export function synthesizeMessages(goal: string, results: readonly TaskResult[]): ChatMessage[] {
  const lines = results.map((r) => `- ${r.taskId} (${r.description}): ${JSON.stringify(r.output)}`).join('\n');
  return [
    { role: 'system', content: 'Write the final answer to the goal from the results of its tasks. Be concise.' },
    { role: 'user', content: `Goal: ${goal}\nResults:\n${lines}` },
  ];
}
