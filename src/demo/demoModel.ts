import { TroupeError } from '../errors.js';
import type { Model, TaskResult } from '../model/Model.js';
import { type ScriptedPlan, scriptedModel } from '../model/scriptedModel.js';
import { trendPlan, trendProcess } from './trendToPost.js';

const socialGoal =
  /post\s+(?:(["'“‘])([\s\S]*?)["'”’]|([\s\S]+?))\s+to\s+(?:all|every)\s+(?:the\s+)?social\s+(?:platforms?|networks?|media)/i;

const platforms = [
  { id: 'post_threads', tool: 'postToThreads', name: 'Threads' },
  { id: 'post_bluesky', tool: 'postToBluesky', name: 'Bluesky' },
  { id: 'post_x', tool: 'postToX', name: 'X' },
] as const;

/**
 * What the demo model says of a goal it cannot plan: that it is a canned offline model, what it
 * knows, and how to run on a real one.
 */
export function beyondDemo(goal: string): string {
  const shown = goal.length > 80 ? `${goal.slice(0, 79)}…` : goal;
  return (
    `The offline demo model cannot do "${shown}": it is canned and only plans ` +
    `"post '<text>' to all social platforms" and "find what's trending and post a short take on ` +
    `the top trend to all social platforms". For any other goal configure a real model: ` +
    'set OPENAI_API_KEY (and TROUPE_MODEL) in the environment or .env, OPENAI_BASE_URL for a local ' +
    'server such as Ollama, or `model` in troupe.config.mjs (troupe init writes one)'
  );
}

function plan(goal: string): ScriptedPlan {
  const trends = trendPlan(goal);
  if (trends !== undefined) return trends;
  const match = socialGoal.exec(goal);
  if (match === null) throw new TroupeError('MODEL_FAILED', beyondDemo(goal));
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
  const take = results.find((r) => r.taskId === 'draft');
  const posted = results.filter((r) => typeof r.output === 'object' && r.output !== null && 'url' in r.output);
  if (posted.length === 0) return results.map((r) => String(r.output)).join('\n');
  const lines = posted.map((r) => {
    const out = r.output as { platform: string; url: string };
    return `- ${out.platform}: ${out.url}`;
  });
  const head = take === undefined ? `Done: ${goal}` : `Posted: ${String(take.output)}`;
  return `${head}\n${lines.join('\n')}`;
}

/**
 * The offline model of troupe's demos: it plans "post <message> to all social platforms" as
 * three tool calls (`postToThreads`, `postToBluesky`, `postToX`); "find what's trending and
 * post a short take … to all social platforms" as a research step that calls `fetchTrends`,
 * a drafting step, and three posts whose text is `{{draft.output}}`; and synthesises a summary
 * with the posts' URLs. Any other goal fails its run with `MODEL_FAILED` and a message saying
 * the goal is beyond it and how to configure a real model (`beyondDemo`).
 *
 * @example
 * createRuntime({ model: demoModel(), tools: socialPlatformTools() })
 *   .run("post 'hello world' to all social platforms");
 * // => three tool calls, then "Done: post 'hello world' …" with three URLs
 */
export function demoModel(): Model {
  return scriptedModel({ name: 'demo', plan, process: trendProcess, synthesize });
}
