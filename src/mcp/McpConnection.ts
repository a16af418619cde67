import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ConfigError, TroupeError } from '../errors.js';
import { loadMcpSdk, type McpSdk } from './mcpSdk.js';

/** An MCP server started as a child process, spoken to over stdio. */
export interface McpStdioServer {
  /** A short name: prefixes the server's tool names (`<name>_<tool>`). */
  name: string;
  command: string;
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

/** An MCP server reached over streamable HTTP. */
export interface McpHttpServer {
  name: string;
  url: string;
  headers?: Readonly<Record<string, string>>;
}

/** Where an MCP server is. */
export type McpServer = McpStdioServer | McpHttpServer;

/** How a connection behaves. */
export interface McpConnectionOptions {
  /** The longest one request may take, in ms. @default 30000 */
  requestTimeoutMs?: number;
  /** The longest starting the server and the protocol handshake may take, in ms. @default 30000 */
  connectTimeoutMs?: number;
  /** Restarts after the server dies, before calls fail for good. @default 5 */
  maxRestarts?: number;
  /** Delay before the first restart, doubled each time. @default 100 */
  restartDelayMs?: number;
}

/** What any MCP request may carry. */
export interface McpRequestOptions {
  signal?: AbortSignal;
  onProgress?: (progress: number, total: number | undefined) => void;
}

const nameRule = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** Describes the server for error messages: its command line or URL. */
export function describeServer(server: McpServer): string {
  return 'url' in server ? server.url : [server.command, ...(server.args ?? [])].join(' ');
}

function transportFor(server: McpServer, { StdioClientTransport, StreamableHTTPClientTransport }: McpSdk): Transport {
  if ('url' in server) {
    return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { ...server.headers } } });
  }
  return new StdioClientTransport({
    command: server.command,
    args: [...(server.args ?? [])],
    ...(server.env === undefined ? {} : { env: { ...(process.env as Record<string, string>), ...server.env } }),
    ...(server.cwd === undefined ? {} : { cwd: server.cwd }),
    stderr: 'ignore',
  });
}

/**
 * A live connection to one MCP server. A server that dies is restarted with exponential
 * backoff on the next request (up to `maxRestarts`); `close()` stops it for good.
 */
export class McpConnection {
  readonly server: McpServer;
  private readonly options: Required<McpConnectionOptions>;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private restarts = 0;
  private closed = false;
  private readonly updateListeners = new Map<string, Set<() => void>>();

  private constructor(server: McpServer, options: McpConnectionOptions) {
    this.server = server;
    this.options = {
      requestTimeoutMs: 30_000,
      connectTimeoutMs: 30_000,
      maxRestarts: 5,
      restartDelayMs: 100,
      ...options,
    };
  }

  /** Connects to `server`; a server that cannot start is a `TroupeError` (`MCP_FAILED`) naming its command. */
  static async open(server: McpServer, options: McpConnectionOptions = {}): Promise<McpConnection> {
    if (typeof server?.name !== 'string' || !nameRule.test(server.name)) {
      throw new ConfigError([`Expected MCP server \`name\` to match ${nameRule}, got \`${String(server?.name)}\``]);
    }
    const connection = new McpConnection(server, options);
    await connection.connect();
    return connection;
  }

  /** The server's name. */
  get name(): string {
    return this.server.name;
  }

  /** Runs `request` on a live client, restarting a dead server first. */
  async use<T>(request: (client: Client, timeoutMs: number) => Promise<T>): Promise<T> {
    const client = await this.connect();
    return request(client, this.options.requestTimeoutMs);
  }

  /** Calls `listener` whenever the server says the resource at `uri` changed; returns the unsubscriber. */
  async onResourceUpdated(uri: string, listener: () => void): Promise<() => void> {
    let listeners = this.updateListeners.get(uri);
    if (listeners === undefined) {
      listeners = new Set();
      this.updateListeners.set(uri, listeners);
      await this.use((client, timeout) => client.subscribeResource({ uri }, { timeout }));
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0) return;
      this.updateListeners.delete(uri);
      this.client?.unsubscribeResource({ uri }).catch(() => undefined);
    };
  }

  /** Stops the server (or disconnects) for good. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new TroupeError('MCP_FAILED', `MCP server \`${this.name}\` is closed`));
    if (this.client !== undefined) return Promise.resolve(this.client);
    this.connecting ??= this.start().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async start(): Promise<Client> {
    if (this.restarts > 0) {
      if (this.restarts > this.options.maxRestarts) {
        throw new TroupeError(
          'MCP_FAILED',
          `MCP server \`${this.name}\` died ${this.restarts} times; giving up (maxRestarts ${this.options.maxRestarts})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.restartDelayMs * 2 ** (this.restarts - 1)));
    }
    const sdk = await loadMcpSdk();
    const client = new sdk.Client({ name: 'troupe', version: '0.1.0' });
    client.setNotificationHandler(sdk.ResourceUpdatedNotificationSchema, (notification) => {
      for (const listener of this.updateListeners.get(notification.params.uri) ?? []) listener();
    });
    try {
      await client.connect(transportFor(this.server, sdk), { timeout: this.options.connectTimeoutMs });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw new TroupeError(
        'MCP_FAILED',
        `MCP server \`${this.name}\` (${describeServer(this.server)}) could not start: ${(err as Error).message}`,
        { cause: err },
      );
    }
    client.onclose = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.restarts += 1;
    };
    this.client = client;
    for (const uri of this.updateListeners.keys()) await client.subscribeResource({ uri }).catch(() => undefined);
    return client;
  }
}
