import type { PlannedTask } from '../events/types.js';
import type { ProcessRequest } from '../model/Model.js';
import type { ScriptedPlan, ScriptedProcessResult } from '../model/scriptedModel.js';
import { type Trend, trendsOutputSchema } from './trends.js';

const trendGoal = /\btrend(?:s|ing)?\b[\s\S]*\bpost\b[\s\S]*\bsocial\b/i;

const posts = [
  { id: 'post_threads', tool: 'postToThreads', name: 'Threads' },
  { id: 'post_bluesky', tool: 'postToBluesky', name: 'Bluesky' },
  { id: 'post_x', tool: 'postToX', name: 'X' },
] as const;

/**
 * The plan of "find what's trending and post a short take on the top trend to all social
 * platforms": research (a step that calls `fetchTrends`), a draft, and one post per platform
 * whose text is the draft, by reference. `undefined` for any other goal.
 */
export function trendPlan(goal: string): ScriptedPlan | undefined {
  if (!trendGoal.test(goal)) return undefined;
  return {
    tasks: [
      {
        id: 'research',
        description: 'Find what is trending on social platforms now (call fetchTrends)',
        kind: 'processing',
        tools: ['fetchTrends'],
      },
      {
        id: 'draft',
        description: 'Write a short take (under 280 characters) on the top trend',
        kind: 'processing',
        dependsOn: ['research'],
      },
      ...posts.map((p) => ({
        id: p.id,
        description: `Post the take to ${p.name}`,
        kind: 'tool_call' as const,
        tool: p.tool,
        input: { text: '{{draft.output}}' },
      })),
    ],
  };
}

/** A short take on a trend, under X's 280 characters. */
export function takeOn(trend: Trend): string {
  const growth = Math.round(trend.growth * 100);
  return `${trend.name} is the top trend today: ${trend.volume.toLocaleString('en-US')} mentions, +${growth}% on yesterday. Agents are moving to production, and the ops around them are catching up.`;
}

function research(request: ProcessRequest): ScriptedProcessResult {
  const turn = request.turns?.at(-1);
  const result = turn?.results.find((r) => r.name === 'fetchTrends');
  if (result === undefined) {
    const offered = request.tools?.some((t) => t.name === 'fetchTrends') ?? false;
    if (!offered) return 'No trends source was offered to this step.';
    return { toolCalls: [{ name: 'fetchTrends', arguments: { limit: 3 } }] };
  }
  if (!result.ok) return `fetchTrends failed: ${result.error.message}`;
  return JSON.stringify(trendsOutputSchema.parse(result.output));
}

function draft(request: ProcessRequest): string {
  const raw = request.inputs.research;
  try {
    const top = trendsOutputSchema.parse(JSON.parse(String(raw))).trends[0];
    if (top !== undefined) return takeOn(top);
  } catch {
    // Research that is not the trends JSON leaves nothing to take on; say so below.
  }
  return `No trend data to write about: ${String(raw).slice(0, 120)}`;
}

/** The demo model's processing steps: research calls `fetchTrends`; draft writes the take. */
export function trendProcess(task: PlannedTask, request: ProcessRequest): ScriptedProcessResult {
  if (task.id === 'research') return research(request);
  if (task.id === 'draft') return draft(request);
  return request.answer ?? `Done: ${task.description}`;
}
