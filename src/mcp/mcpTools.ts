import type { CallToolResult, Tool as McpToolInfo } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ConfigError, ToolOutputError, ToolTimeoutError, TroupeError } from '../errors.js';
import { defineTool, type Tool } from '../tools/defineTool.js';
import { traceMeta } from '../tracing/traceMeta.js';
import type { McpConnection, McpConnectionOptions, McpServer } from './McpConnection.js';
import { loadMcpSdk, type McpSdk } from './mcpSdk.js';

/** A resource an MCP server offers. */
export interface McpResource {
  uri: string;
  name: string;
  mimeType?: string;
}

/** The tools and resources of one MCP server, as troupe tools. */
export interface McpToolset {
  /** The server's name, the prefix of its tools' names. */
  readonly name: string;
  /** The server's tools, named `<server>_<tool>`, validated by their JSON Schemas. */
  readonly tools: readonly Tool[];
  /** The resources the server lists. */
  listResources(): Promise<McpResource[]>;
  /** The text of the resource at `uri` (text parts joined; binary parts as their MIME type). */
  readResource(uri: string): Promise<string>;
  /** Calls `listener` when the server reports the resource changed; resolves with the unsubscriber. */
  onResourceUpdated(uri: string, listener: () => void): Promise<() => void>;
  /** Stops the server. `createRuntime({ closeWith })` does it when the runtime closes. */
  close(): Promise<void>;
}

function schemaOf(json: unknown, what: string): z.ZodType {
  try {
    return z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (err) {
    throw new ConfigError([`${what} has a JSON Schema troupe cannot validate with: ${(err as Error).message}`], {
      cause: err,
    });
  }
}

function textOf(result: CallToolResult): string {
  return result.content
    .map((part) =>
      part.type === 'text' ? part.text : `[${part.type}${'mimeType' in part ? ` ${part.mimeType}` : ''}]`,
    )
    .join('\n');
}

function translate(
  err: unknown,
  server: string,
  tool: string,
  timeoutMs: number,
  { McpError, ErrorCode }: McpSdk,
): TroupeError {
  if (err instanceof TroupeError) return err;
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
    return new ToolTimeoutError(`MCP tool \`${tool}\` of server \`${server}\``, timeoutMs);
  }
  const message = err instanceof Error ? err.message : String(err);
  // The SDK client checks structured output against the tool's declared schema before we see it.
  if (err instanceof McpError && /output schema/i.test(message)) {
    return new ToolOutputError(
      tool,
      `MCP tool \`${tool}\` of server \`${server}\` returned invalid output: ${message}`,
    );
  }
  return new TroupeError('TOOL_FAILED', `MCP tool \`${tool}\` of server \`${server}\` failed: ${message}`, {
    cause: err,
  });
}

function toTool(connection: McpConnection, info: McpToolInfo, troupeName: string): Tool {
  const output =
    info.outputSchema === undefined ? undefined : schemaOf(info.outputSchema, `Output of MCP tool \`${info.name}\``);
  return defineTool({
    name: troupeName,
    description: info.description ?? info.title ?? info.name,
    input: schemaOf(info.inputSchema, `Input of MCP tool \`${info.name}\``),
    ...(output === undefined ? {} : { output }),
    capabilities: ['mcp', `mcp:${connection.name}`],
    run: async (args, { signal, idempotencyKey, traceContext }) => {
      let timeoutMs = 0;
      const result = await connection
        .use((client, timeout) => {
          timeoutMs = timeout;
          return client.callTool(
            {
              name: info.name,
              arguments: args as Record<string, unknown>,
              _meta: { idempotencyKey, ...traceMeta(traceContext) },
            },
            undefined,
            { signal, timeout },
          );
        })
        .catch(async (err: unknown) => {
          throw translate(err, connection.name, info.name, timeoutMs, await loadMcpSdk());
        });
      const called = result as CallToolResult;
      if (called.isError === true) {
        throw new TroupeError(
          'TOOL_FAILED',
          `MCP tool \`${info.name}\` of server \`${connection.name}\` reported an error: ${textOf(called)}`,
        );
      }
      return output === undefined ? textOf(called) : called.structuredContent;
    },
  });
}

/**
 * Connects to an MCP server (stdio or streamable HTTP) and offers its tools as troupe tools:
 * each named `<server>_<tool>`, its input validated by the server's JSON Schema, its calls
 * carrying the idempotency key in `_meta` and going through the same timeouts, retries and
 * breakers as native tools. A server that dies is restarted with backoff on the next call.
 *
 * @example
 * const fs = await mcpTools({ name: 'fs', command: 'npx', args: ['@modelcontextprotocol/server-filesystem', dir] });
 * const runtime = createRuntime({ tools: [...fs.tools], closeWith: [fs] });
 * fs.tools.map((t) => t.name).includes('fs_read_text_file');
 * // => true
 */
export async function mcpTools(server: McpServer, options: McpConnectionOptions = {}): Promise<McpToolset> {
  // The connection's code (process and HTTP transports) loads with the first server, not with `import 'troupe'`.
  const { McpConnection } = await import('./McpConnection.js');
  const connection = await McpConnection.open(server, options);
  try {
    const listed = await connection.use((client, timeout) => client.listTools(undefined, { timeout }));
    const byName = new Map<string, string>();
    const tools: Tool[] = [];
    for (const info of listed.tools) {
      const troupeName = `${server.name}_${info.name.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64);
      const clash = byName.get(troupeName);
      if (clash !== undefined) {
        throw new ConfigError([
          `MCP server \`${server.name}\` offers tools \`${clash}\` and \`${info.name}\`, which both map to \`${troupeName}\``,
        ]);
      }
      byName.set(troupeName, info.name);
      tools.push(toTool(connection, info, troupeName));
    }
    return {
      name: server.name,
      tools,
      listResources: async () => {
        const { resources } = await connection.use((client, timeout) => client.listResources(undefined, { timeout }));
        return resources.map((r) => ({
          uri: r.uri,
          name: r.name,
          ...(r.mimeType === undefined ? {} : { mimeType: r.mimeType }),
        }));
      },
      readResource: async (uri) => {
        const read = await connection
          .use((client, timeout) => client.readResource({ uri }, { timeout }))
          .catch((err: unknown) => {
            throw new TroupeError(
              'MCP_FAILED',
              `Could not read \`${uri}\` from MCP server \`${server.name}\`: ${(err as Error).message}`,
              {
                cause: err,
              },
            );
          });
        return read.contents.map((c) => ('text' in c ? c.text : `[${c.mimeType ?? 'binary'}]`)).join('\n');
      },
      onResourceUpdated: (uri, listener) => connection.onResourceUpdated(uri, listener),
      close: () => connection.close(),
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
