// Trend research: a trigger polls an MCP resource of social mentions, the Planner turns the
// most-mentioned tag into a research task, a worker calls `fetch_trends` through MCP, and the
// run ends in a zod-validated trend analysis. Offline: the MCP server is this example's own.
import { firstValueFrom } from 'rxjs';
import { createRuntime, mcpTools, type ProcessRequest, scriptedModel } from 'troupe';
import { z } from 'zod';

const analysisSchema = z.object({
  tag: z.string(),
  momentum: z.enum(['rising', 'steady', 'fading']),
  volume: z.number(),
  related: z.array(z.string()),
  summary: z.string(),
});

const trendSchema = z.object({ tag: z.string(), volume: z.number(), growth: z.number(), related: z.array(z.string()) });

const server = new URL('./server.js', import.meta.url).pathname;
const trends = await mcpTools({ name: 'trends', command: process.execPath, args: [server] });

function analyse(request: ProcessRequest): string {
  const trend = trendSchema.parse(request.inputs.fetch);
  const momentum = trend.growth > 0.5 ? 'rising' : trend.growth > 0 ? 'steady' : 'fading';
  const summary = `${trend.tag} is ${momentum}: ${trend.volume.toLocaleString('en-US')} mentions, +${Math.round(trend.growth * 100)}% this week.`;
  return JSON.stringify(
    analysisSchema.parse({ tag: trend.tag, momentum, volume: trend.volume, related: trend.related, summary }),
  );
}

const model = scriptedModel({
  plan: (goal) => {
    const tag = /#\w+/.exec(goal)?.[0] ?? '#unknown';
    return {
      tasks: [
        {
          id: 'fetch',
          description: `Fetch trend data for ${tag}`,
          kind: 'tool_call',
          tool: 'trends_fetch_trends',
          input: { tag },
        },
        { id: 'analyse', description: `Write a trend analysis of ${tag}`, kind: 'processing', dependsOn: ['fetch'] },
      ],
    };
  },
  process: (_task, request) => analyse(request),
  synthesize: (_goal, results) => String(results.find((r) => r.taskId === 'analyse')?.output),
});

const runtime = createRuntime({ model, tools: trends.tools, closeWith: [trends] });

const mentionsSchema = z.object({
  mentions: z.array(z.object({ tag: z.string(), author: z.string(), text: z.string() })),
});
const trigger = runtime.trigger({
  source: trends,
  resource: 'social://mentions',
  everyMs: 250,
  goal: (content) => {
    const counts = new Map<string, number>();
    for (const m of mentionsSchema.parse(JSON.parse(content)).mentions) counts.set(m.tag, (counts.get(m.tag) ?? 0) + 1);
    const [top] = [...counts].sort((a, b) => b[1] - a[1]);
    return top === undefined ? undefined : `Research trend ${top[0]} (${top[1]} mentions)`;
  },
});

const handle = await firstValueFrom(trigger.runs$);
trigger.stop();
handle.events$.subscribe((event) =>
  console.log(`#${event.seq} ${event.type}${'taskId' in event ? ` ${event.taskId}` : ''}`),
);
const result = await handle.result;
if (result.status !== 'completed') {
  console.error(`run ${result.status}: ${result.error?.message}`);
  process.exitCode = 1;
} else {
  const analysis = analysisSchema.parse(JSON.parse(result.answer ?? ''));
  console.log('\ntrend analysis (validated):');
  console.log(JSON.stringify(analysis, null, 2));
}
await runtime.close();
