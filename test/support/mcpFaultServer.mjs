// An MCP server over stdio that misbehaves on purpose, for troupe's fault tests.
// FAULT_CLASH=1 advertises two tools whose names collide once prefixed; CRASH_MARKER names a
// file: the first `crash` call creates it and kills the process, later calls succeed. `echo_meta`
// answers with the request's `_meta` (idempotency key, trace context).
import { existsSync, writeFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

const object = { type: 'object', properties: {} };
const tools = [
  { name: 'crash', description: 'dies on its first call', inputSchema: object },
  { name: 'hang', description: 'never answers', inputSchema: object },
  { name: 'echo_meta', description: "answers with the request's _meta as JSON", inputSchema: object },
  {
    name: 'bad_output',
    description: 'breaks its own output schema',
    inputSchema: object,
    outputSchema: { type: 'object', properties: { count: { type: 'number' } }, required: ['count'] },
  },
];
if (process.env.FAULT_CLASH === '1') {
  tools.push(
    { name: 'dup.name', description: 'one', inputSchema: object },
    { name: 'dup_name', description: 'two', inputSchema: object },
  );
}

const server = new Server({ name: 'fault', version: '1.0.0' }, { capabilities: { tools: {}, resources: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  switch (request.params.name) {
    case 'crash': {
      const marker = process.env.CRASH_MARKER;
      if (marker !== undefined && !existsSync(marker)) {
        writeFileSync(marker, 'crashed');
        process.exit(1);
      }
      return { content: [{ type: 'text', text: 'survived' }] };
    }
    case 'hang':
      return new Promise(() => {});
    case 'echo_meta':
      return { content: [{ type: 'text', text: JSON.stringify(request.params._meta ?? {}) }] };
    case 'bad_output':
      return { content: [{ type: 'text', text: 'oops' }], structuredContent: { count: 'many' } };
    default:
      return { content: [{ type: 'text', text: `unknown tool ${request.params.name}` }], isError: true };
  }
});
let reads = 0;
server.setRequestHandler(ListResourcesRequestSchema, async () => ({
  resources: [{ uri: 'fault://vanishing', name: 'vanishing' }],
}));
server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
  reads += 1;
  if (reads > 1) throw new Error(`resource ${request.params.uri} is gone`);
  return { contents: [{ uri: request.params.uri, text: 'here for now' }] };
});
await server.connect(new StdioServerTransport());
