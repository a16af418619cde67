import type { Model, TaskResult } from '../model/Model.js';
import { type ScriptedPlan, scriptedModel } from '../model/scriptedModel.js';

const socialGoal =
  /post\s+(?:(["'“‘])([\s\S]*?)["'”’]|([\s\S]+?))\s+to\s+(?:all|every)\s+(?:the\s+)?social\s+(?:platforms?|networks?|media)/i;

const platforms = [
  { id: 'post_threads', tool: 'postToThreads', name: 'Threads' },
  { id: 'post_bluesky', tool: 'postToBluesky', name: 'Bluesky' },
  { id: 'post_x', tool: 'postToX', name: 'X' },
] as const;

function plan(goal: string): ScriptedPlan {
  const match = socialGoal.exec(goal);
  if (match === null) return { tasks: [{ id: 'answer', description: `Answer: ${goal}`, kind: 'processing' }] };
  const text = match[2] ?? match[3] ?? '';
  return {
    tasks: platforms.map((p) => ({
      id: p.id,
      description: `Post the message to ${p.name}`,
      kind: 'tool_call' as const,
      tool: p.tool,
      input: { text },
    })),
  };
}

function synthesize(goal: string, results: readonly TaskResult[]): string {
  const posted = results.filter((r) => typeof r.output === 'object' && r.output !== null && 'url' in r.output);
  if (posted.length === 0) return results.map((r) => String(r.output)).join('\n');
  const lines = posted.map((r) => {
    const out = r.output as { platform: string; url: string };
    return `- ${out.platform}: ${out.url}`;
  });
  return `Done: ${goal}\n${lines.join('\n')}`;
}

/**
 * The offline model of troupe's demos: it plans "post <message> to all social platforms" as
 * three tool calls (`postToThreads`, `postToBluesky`, `postToX`), any other goal as one
 * processing step, and synthesises a summary with the posts' URLs.
 *
 * @example
 * createRuntime({ model: demoModel(), tools: socialPlatformTools() })
 *   .run("post 'hello world' to all social platforms");
 * // => three tool calls, then "Done: post 'hello world' …" with three URLs
 */
export function demoModel(): Model {
  return scriptedModel({ name: 'demo', plan, synthesize });
}
