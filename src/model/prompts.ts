import type { PlannedTask } from '../events/types.js';
import { quarantineValues, untrustedDataNotice } from '../security/quarantine.js';
import type { ChatMessage, TaskResult, ToolSpec } from './Model.js';

const planSystem = [
  'You are the planner of an agent runtime. Break the user goal into a small graph of tasks.',
  'Answer with JSON only: {"tasks":[{"id","description","kind","dependsOn","tool","input"}]}.',
  'kind is "tool_call" (set tool to one of the listed tools, or capability to one they declare,',
  'and input to its arguments),',
  '"processing" (a reasoning or writing step you will do later), or "clarification" (a question',
  'for the human, when the goal is ambiguous). dependsOn lists ids of tasks that must finish first.',
  'To use an earlier task\'s result in an input, write the string "{{<taskId>.output}}", or',
  '"{{<taskId>.output.<key>.<index>}}" for a part of it (e.g. "{{research.output.trends.0.name}}");',
  'it is replaced when the task runs, and may also sit inside longer text ("New: {{draft.output}}").',
  'optional: true marks a task the goal can do without if it fails.',
  'attachments (optional) lists the URLs, files and quoted snippets named in the goal that a task',
  'works on: [{"kind":"url"|"file"|"snippet","value"}].',
].join(' ');

/** The prompt that asks a model for a plan. */
export function planMessages(goal: string, tools: readonly ToolSpec[], feedback?: string): ChatMessage[] {
  const toolList =
    tools.length === 0
      ? 'No tools are available.'
      : tools
          .map((t) => {
            const can = t.capabilities.length === 0 ? '' : ` (capabilities: ${t.capabilities.join(', ')})`;
            return `- ${t.name}: ${t.description}${can}\n  input schema: ${JSON.stringify(t.inputSchema)}`;
          })
          .join('\n');
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
  feedback?: string,
): ChatMessage[] {
  const ids = Object.keys(inputs);
  // Results of earlier tasks were written by tools and models, not the user: quarantined. So is
  // the step's input, which references may have filled with such results.
  const given = hasInput(task.input)
    ? `\nInput of this step:\n${quarantineValues([{ label: 'input', value: task.input }])}`
    : '';
  const context =
    ids.length === 0
      ? ''
      : `\nResults of earlier tasks:\n${quarantineValues(ids.map((id) => ({ label: `task:${id}`, value: inputs[id] })))}`;
  const human = answer === undefined ? '' : `\nThe human answered your question: ${answer}`;
  const rejected =
    feedback === undefined ? '' : `\nYour previous result was rejected: ${feedback}\nDo it again, addressing that.`;
  const notice = ids.length === 0 && given === '' ? '' : `\n${untrustedDataNotice}`;
  return [
    { role: 'system', content: `You carry out one step of a plan for the goal: ${goal}${notice}` },
    { role: 'user', content: `${task.description}${given}${context}${human}${rejected}` },
  ];
}

/** Whether a step's input says anything: absent, `null` and `{}` do not. */
function hasInput(input: unknown): boolean {
  if (input === undefined || input === null) return false;
  return typeof input !== 'object' || Array.isArray(input) || Object.keys(input).length > 0;
}

/** The prompt that asks a model for a run's final answer. */
export function synthesizeMessages(goal: string, results: readonly TaskResult[]): ChatMessage[] {
  const tasks = results.map((r) => `- ${r.taskId}: ${r.description}`).join('\n');
  const lines = `${tasks}\n${quarantineValues(results.map((r) => ({ label: `task:${r.taskId}`, value: r.output })))}`;
  return [
    {
      role: 'system',
      content: `Write the final answer to the goal from the results of its tasks. Be concise.\n${untrustedDataNotice}`,
    },
    { role: 'user', content: `Goal: ${goal}\nResults:\n${lines}` },
  ];
}
