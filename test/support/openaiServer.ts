import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completion request as the server received it. */
export interface ChatRequestBody {
  model: string;
  messages: {
    role: string;
    content: string | null;
    tool_call_id?: string;
    tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown> } };
  tools?: { type: string; function: { name: string; parameters: Record<string, unknown> } }[];
  max_tokens?: number;
  [key: string]: unknown;
}

/** What the server answers one request with: an answer, a function call, or a scripted fault. */
export type ServerReply =
  | { content: string; finishReason?: 'stop' | 'length' | 'content_filter'; usage?: { input: number; output: number } }
  | { toolCall: { name: string; arguments: string }; content?: string }
  /** Several function calls in one reply (ids default to `call_<n>`), with optional text beside them. */
  | { toolCalls: { name: string; arguments: string; id?: string }[]; content?: string }
  /** 429 with `retry-after` (seconds, as sent) or `retry-after-ms`. */
  | { fault: 'rate_limit'; retryAfter?: string; retryAfterMs?: string }
  | { fault: 'server_error'; status?: number }
  /** Never answers; the connection stays open until the client gives up or the server closes. */
  | { fault: 'hang' }
  /** Content that is not JSON. */
  | { fault: 'malformed_json' }
  /** Content that is JSON, but not of the shape asked for. */
  | { fault: 'wrong_shape' }
  /** Half an answer with `finish_reason: length`. */
  | { fault: 'length' };

/** Answers requests the queue does not cover; `index` counts every request from 0. */
export type Responder = (body: ChatRequestBody, index: number) => ServerReply | Promise<ServerReply>;

/** A local OpenAI-compatible server on 127.0.0.1 for tests, examples and benchmarks. */
export interface OpenAIServer {
  /** The base URL for the `openai` client, ending in `/v1`. */
  readonly baseURL: string;
  /** Every chat request received, in order. */
  readonly requests: ChatRequestBody[];
  /** Replies used, in order, before the responder is asked. */
  enqueue(...replies: ServerReply[]): void;
  /** Replaces the responder. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

const tokens = (text: string) => Math.ceil(text.length / 4);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(message: string, type: string) {
  return { error: { message, type, param: null, code: null } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

type Answer =
  | Extract<ServerReply, { content: string }>
  | Extract<ServerReply, { toolCall: unknown }>
  | Extract<ServerReply, { toolCalls: unknown }>;

interface WireCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

function callsOf(answer: Answer): WireCall[] {
  const given: { name: string; arguments: string; id?: string }[] =
    'toolCalls' in answer ? answer.toolCalls : 'toolCall' in answer ? [answer.toolCall] : [];
  return given.map((call, index) => ({
    id: call.id ?? `call_${randomUUID().slice(0, 8)}_${index}`,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
}

function answerOf(reply: ServerReply): Answer | undefined {
  if (!('fault' in reply)) return reply;
  switch (reply.fault) {
    case 'malformed_json':
      return { content: '{"tasks": [{"id": "a", "description": "unterminated' };
    case 'wrong_shape':
      return { content: '{"steps": ["this is JSON, but not a plan"]}' };
    case 'length':
      return { content: '{"tasks": [{"id": "a", "descri', finishReason: 'length' };
    default:
      return undefined;
  }
}

function writeAnswer(res: ServerResponse, body: ChatRequestBody, answer: Answer): void {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const prompt = tokens(body.messages.map((m) => m.content ?? '').join('\n'));
  const content = answer.content ?? '';
  const calls = callsOf(answer);
  const finish = calls.length > 0 ? 'tool_calls' : 'finishReason' in answer ? (answer.finishReason ?? 'stop') : 'stop';
  const given = 'usage' in answer ? answer.usage : undefined;
  const usage = {
    prompt_tokens: given?.input ?? prompt,
    completion_tokens: given?.output ?? tokens(content + calls.map((c) => c.function.arguments).join('')),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  const base = { id, created, model: body.model, system_fingerprint: 'troupe-test' };
  if (body.stream !== true) {
    const message = {
      role: 'assistant',
      content: calls.length === 0 ? content : (answer.content ?? null),
      refusal: null,
    };
    const choice = {
      index: 0,
      message: calls.length === 0 ? message : { ...message, tool_calls: calls },
      finish_reason: finish,
      logprobs: null,
    };
    sendJson(res, 200, { ...base, object: 'chat.completion', choices: [choice], usage });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  for (let i = 0; i < content.length; i += 8) {
    chunk([{ index: 0, delta: { content: content.slice(i, i + 8) }, finish_reason: null }]);
  }
  // Each call in two pieces, as the API streams them: id and name first, then the rest by index.
  calls.forEach((call, index) => {
    const args = call.function.arguments;
    const half = Math.ceil(args.length / 2);
    const head = {
      index,
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: args.slice(0, half) },
    };
    chunk([{ index: 0, delta: { tool_calls: [head] }, finish_reason: null }]);
    chunk([
      { index: 0, delta: { tool_calls: [{ index, function: { arguments: args.slice(half) } }] }, finish_reason: null },
    ]);
  });
  chunk([{ index: 0, delta: {}, finish_reason: finish }]);
  if (body.stream_options?.include_usage === true) chunk([], { usage });
  res.end('data: [DONE]\n\n');
}

/**
 * Starts an OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 (a free port):
 * whole and streamed (SSE) answers with usage, function calls (one or several per reply, with
 * or without text beside them), and scripted faults (429
 * with `retry-after`, 5xx, a hang, malformed or wrongly shaped JSON, `finish_reason:
 * length`). Replies come from the queue first, then from `responder`.
 *
 * @example
 * const server = await startOpenAIServer(() => ({ content: 'hi' }));
 * server.enqueue({ fault: 'rate_limit', retryAfter: '0.01' });
 * openaiModel({ baseURL: server.baseURL, model: 'test' });
 * // => the first request gets a 429, the next ones 'hi'
 */
export async function startOpenAIServer(responder: Responder = () => ({ content: 'ok' })): Promise<OpenAIServer> {
  const queue: ServerReply[] = [];
  const requests: ChatRequestBody[] = [];
  let respond = responder;

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        sendJson(res, 404, errorBody(`No route ${req.method} ${req.url}`, 'invalid_request_error'));
        return;
      }
      let body: ChatRequestBody;
      try {
        body = JSON.parse(await readBody(req)) as ChatRequestBody;
      } catch {
        sendJson(res, 400, errorBody('The body is not JSON', 'invalid_request_error'));
        return;
      }
      const index = requests.length;
      requests.push(body);
      const reply = queue.shift() ?? (await respond(body, index));
      if ('fault' in reply) {
        if (reply.fault === 'hang') return;
        if (reply.fault === 'rate_limit') {
          const headers: Record<string, string> = {};
          if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
          if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = reply.retryAfterMs;
          sendJson(res, 429, errorBody('Rate limit reached', 'rate_limit_exceeded'), headers);
          return;
        }
        if (reply.fault === 'server_error') {
          sendJson(res, reply.status ?? 500, errorBody('The server had an error', 'server_error'));
          return;
        }
      }
      const answer = answerOf(reply);
      if (answer !== undefined) writeAnswer(res, body, answer);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(String(err), 'server_error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    respond: (next) => {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      }),
  };
}
