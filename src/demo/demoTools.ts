import type { Tool } from '../tools/defineTool.js';
import { Outbox, socialPlatformTools } from './socialPlatforms.js';
import { trendTools } from './trends.js';

/**
 * Every tool of the offline demo behind `troupe run`: the three social platforms (posts
 * recorded in `outbox`) and `fetchTrends`.
 *
 * @example
 * demoTools().map((t) => t.name)
 * // => ['postToThreads', 'postToBluesky', 'postToX', 'fetchTrends']
 */
export function demoTools(outbox: Outbox = new Outbox()): Tool[] {
  return [...socialPlatformTools(outbox), ...trendTools()];
}
