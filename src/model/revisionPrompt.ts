import { quarantineValues, untrustedDataNotice } from '../security/quarantine.js';
import type { ChatMessage, RevisionContext, ToolSpec } from './Model.js';
import { planMessages } from './prompts.js';

const reviseSystem = [
  'The plan below is running and must change. Revise only the tasks that have not started',
  '(status "planned"): answer with JSON only, {"tasks":[...],"drop":["id"]}. A task in "tasks"',
  'with a new id is added; with the id of a planned task it replaces that task; "drop" removes',
  'planned tasks. Completed, running, failed and skipped tasks stay as they are: build on',
  'completed results (reference them as "{{<taskId>.output}}"), and leave no task depending on',
  'a failed or skipped one. Tasks use the same fields as in a plan.',
].join(' ');

function line(task: RevisionContext['tasks'][number]): string {
  const after = task.dependsOn.length === 0 ? '' : ` after ${task.dependsOn.join(', ')}`;
  const error = task.error === undefined ? '' : ` — ${task.error.code}: ${task.error.message}`;
  return `- ${task.id} [${task.status}] (${task.kind}${after}): ${task.description}${error}`;
}

/**
 * The prompt that asks a model to revise a running plan: the planning prompt (tools, syntax),
 * then where every task stands, completed results quarantined as untrusted data, and why.
 *
 * @example
 * revisionMessages(goal, tools, { reason: 'Task `research` failed: timeout', tasks })
 * // => [system (plan), user (goal), system (revise), user (tasks, results, reason)]
 */
export function revisionMessages(
  goal: string,
  tools: readonly ToolSpec[],
  revision: RevisionContext,
  feedback?: string,
): ChatMessage[] {
  const done = revision.tasks.filter((t) => t.status === 'completed');
  const results =
    done.length === 0
      ? ''
      : `\nResults so far:\n${quarantineValues(done.map((t) => ({ label: `task:${t.id}`, value: t.output })))}\n${untrustedDataNotice}`;
  const messages: ChatMessage[] = [
    ...planMessages(goal, tools),
    { role: 'system', content: reviseSystem },
    {
      role: 'user',
      content: `Tasks:\n${revision.tasks.map(line).join('\n')}${results}\nWhy the plan must change: ${revision.reason}`,
    },
  ];
  if (feedback !== undefined) {
    messages.push({ role: 'user', content: `Your previous revision was refused: ${feedback}\nAnswer again.` });
  }
  return messages;
}
