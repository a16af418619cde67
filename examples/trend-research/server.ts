// A small MCP server (stdio) with scripted data: a `fetch_trends` tool and a
// `social://mentions` resource, for the trend-research example.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const trends: Record<string, { volume: number; growth: number; related: string[] }> = {
  '#agentops': { volume: 18_400, growth: 0.62, related: ['#observability', '#llm', '#devtools'] },
  '#localllm': { volume: 9_100, growth: 0.35, related: ['#ollama', '#privacy'] },
};

const mentions = [
  { tag: '#agentops', author: '@dana', text: 'Who watches the agents? #agentops is the new SRE.' },
  { tag: '#agentops', author: '@lee', text: 'Tracing 100 parallel agents in prod… #agentops' },
  { tag: '#localllm', author: '@sam', text: 'Running everything on a laptop now #localllm' },
];

const server = new McpServer({ name: 'trends', version: '1.0.0' });

server.registerTool(
  'fetch_trends',
  {
    description: 'Returns volume, weekly growth and related tags for a hashtag',
    inputSchema: { tag: z.string().describe('A hashtag such as #agentops') },
    outputSchema: { tag: z.string(), volume: z.number(), growth: z.number(), related: z.array(z.string()) },
  },
  async ({ tag }) => {
    const data = trends[tag.toLowerCase()];
    if (data === undefined) return { content: [{ type: 'text', text: `No data for ${tag}` }], isError: true };
    const structuredContent = { tag, ...data };
    return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
  },
);

server.registerResource(
  'mentions',
  'social://mentions',
  { description: 'Recent mentions on social platforms', mimeType: 'application/json' },
  async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ mentions }) }] }),
);

await server.connect(new StdioServerTransport());
