import { z } from 'zod';
import { defineTool, type Tool } from '../tools/defineTool.js';

/** One trending topic as the offline trends tool reports it. */
export interface Trend {
  name: string;
  /** Mentions in the last 24 hours. */
  volume: number;
  /** Growth over the previous day, as a fraction (0.62 = +62%). */
  growth: number;
}

const sample: readonly Trend[] = [
  { name: '#agentops', volume: 18_400, growth: 0.62 },
  { name: '#localllm', volume: 9_100, growth: 0.35 },
  { name: '#typescript', volume: 7_800, growth: 0.08 },
  { name: '#rustlang', volume: 5_200, growth: 0.11 },
];

const trendSchema = z.object({ name: z.string(), volume: z.number(), growth: z.number() });

/** The output of `fetchTrends`: the trends, most mentioned first. */
export const trendsOutputSchema = z.object({ trends: z.array(trendSchema) });

/**
 * An offline trends source for the demos: `fetchTrends({ limit })` returns the `limit` most
 * mentioned topics (scripted data, the same on every call), most mentioned first.
 *
 * @example
 * const [fetchTrends] = trendTools();
 * await fetchTrends.call({ limit: 1 }, context);
 * // => { trends: [{ name: '#agentops', volume: 18400, growth: 0.62 }] }
 */
export function trendTools(trends: readonly Trend[] = sample): Tool[] {
  const sorted = [...trends].sort((a, b) => b.volume - a.volume);
  return [
    defineTool({
      name: 'fetchTrends',
      description: 'Returns the topics trending on social platforms now, most mentioned first.',
      input: z.object({ limit: z.number().int().min(1).max(20).default(5) }),
      output: trendsOutputSchema,
      capabilities: ['social.trends'],
      latencyMs: 1,
      run: ({ limit }) => ({ trends: sorted.slice(0, limit) }),
    }) as Tool,
  ];
}
