import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { TroupeError } from '../errors.js';
import { evolve } from '../run/evolve.js';
import { initialRunState, type RunState } from '../run/state.js';
import { appCss } from './assets/appCss.js';
import { appJs } from './assets/appJs.js';
import { faviconSvg } from './assets/favicon.js';
import { indexHtml } from './assets/indexHtml.js';
import type { DashboardSource } from './DashboardSource.js';
import { streamEvents } from './eventStream.js';
import { HttpError, parseBody, readBody, requireToken, sendJson, sendText } from './http.js';
import { replayPacer } from './pacer.js';
import { toPrometheus } from './prometheus.js';
import { SseStream } from './sse.js';
import { taskDetail } from './taskDetail.js';

/** Limits and the token the routes enforce. */
export interface RouteOptions {
  token: string;
  maxBodyBytes: number;
  maxQueuedEvents: number;
  /** Open event streams, so closing the server can end them. */
  streams: Set<SseStream>;
  /**
   * Host names (without port) requests may name in `Host`; others get 403, so a web page that
   * rebinds its own domain to 127.0.0.1 cannot read the runs. `undefined` accepts any.
   */
  hosts: ReadonlySet<string> | undefined;
}

const answerBody = z.object({ text: z.string().trim().min(1).max(10_000) }).strict();
const decisionBody = z
  .object({ decision: z.enum(['approve', 'reject']), note: z.string().max(2_000).optional() })
  .strict();

/** The most events one `/events` request returns; the timeline pages with `from`. */
const maxEventsPerPage = 5_000;
/** How much of a task's output the board shows. */
const previewChars = 2_000;

function preview(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text !== undefined && text.length > previewChars ? `${text.slice(0, previewChars)}…` : value;
}

/** A run's folded state as JSON: the task map becomes a list in plan order. */
function stateJson(state: RunState): unknown {
  return {
    ...state,
    tasks: [...state.tasks.values()].map((t) => ({
      id: t.id,
      description: t.description,
      kind: t.kind,
      dependsOn: t.dependsOn,
      tool: t.tool,
      status: t.status,
      attempts: t.attempts,
      output: preview(t.output),
      error: t.error,
      question: t.question,
      answer: t.answer,
    })),
  };
}

function seqParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new HttpError(400, 'QUERY_INVALID', `Expected \`${name}\` to be an integer ≥ 0, got \`${raw}\``);
  }
  return n;
}

async function replay(source: DashboardSource, runId: string, untilSeq: number | undefined) {
  const all = await source.log.read(runId);
  if (all.length === 0) throw new HttpError(404, 'RUN_NOT_FOUND', `No run \`${runId}\` in the log`);
  const state = initialRunState(runId);
  const events = untilSeq === undefined ? all : all.filter((event) => event.seq <= untilSeq);
  for (const event of events) evolve(state, event);
  return { state, events };
}

async function task(source: DashboardSource, runId: string, taskId: string, untilSeq: number | undefined) {
  const { state, events } = await replay(source, runId, untilSeq);
  const detail = taskDetail(state, events, taskId);
  if (detail === undefined) throw new HttpError(404, 'TASK_NOT_FOUND', `No task \`${taskId}\` in run \`${runId}\``);
  return detail;
}

function stream(req: IncomingMessage, res: ServerResponse, source: DashboardSource, url: URL, options: RouteOptions) {
  const runId = url.searchParams.get('runId');
  const lastId = Number(req.headers['last-event-id'] ?? Number.NaN);
  const from = Number.isInteger(lastId) && lastId >= 0 ? lastId + 1 : seqParam(url, 'from');
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  let stop: (() => void) | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  const sse = new SseStream(res, {
    maxQueued: options.maxQueuedEvents,
    onClose: () => {
      stop?.();
      clearInterval(ping);
      options.streams.delete(sse);
    },
  });
  options.streams.add(sse);
  res.once('close', () => sse.close());
  stop = streamEvents(sse, source.log, {
    ...(from === undefined ? {} : { from }),
    ...(runId === null ? {} : { runId }),
    pacer: replayPacer(),
  });
  ping = setInterval(() => sse.ping(), 15_000);
  ping.unref();
}

async function act(
  req: IncomingMessage,
  res: ServerResponse,
  source: DashboardSource,
  parts: string[],
  o: RouteOptions,
) {
  requireToken(req, o.token);
  const [, , resource, id, sub, taskId, verb] = parts;
  if (resource === 'runs' && id !== undefined && sub === 'tasks' && taskId !== undefined && verb === 'answer') {
    if (source.answer === undefined)
      throw new HttpError(409, 'READ_ONLY', 'This dashboard does not own the run: answer it where it runs');
    const body = parseBody(await readBody(req, o.maxBodyBytes), answerBody);
    await source.answer(id, taskId, body.text);
    return sendJson(res, 202, { ok: true });
  }
  if (resource === 'reviews' && id !== undefined && sub === 'decision' && taskId === undefined) {
    const desk = source.reviews;
    if (desk === undefined) throw new HttpError(409, 'READ_ONLY', 'This dashboard cannot decide reviews');
    const body = parseBody(await readBody(req, o.maxBodyBytes), decisionBody);
    await (body.decision === 'approve' ? desk.approve(id, body.note) : desk.reject(id, body.note));
    return sendJson(res, 202, { ok: true });
  }
  throw new HttpError(404, 'NOT_FOUND', `No route POST ${parts.join('/')}`);
}

/**
 * The dashboard's request handler: the page and its assets, `/healthz`, `/readyz`,
 * `/metrics` (Prometheus), the JSON API over the log, an SSE stream of events, and the two
 * actions (answer a clarification, decide a review), which need the token.
 */
export function createRoutes(source: DashboardSource, options: RouteOptions) {
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.hosts !== undefined && !options.hosts.has((req.headers.host ?? '').replace(/:\d+$/, ''))) {
      throw new HttpError(
        403,
        'HOST_NOT_ALLOWED',
        `Expected the Host header to name this machine, got \`${req.headers.host}\``,
      );
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').map(decodeURIComponent);
    if (req.method === 'POST' && parts[1] === 'api') return act(req, res, source, parts, options);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Expected GET or POST, got ${req.method}`);
    switch (url.pathname) {
      case '/':
        return sendText(res, 200, 'text/html', indexHtml);
      case '/assets/app.js':
        return sendText(res, 200, 'text/javascript', appJs);
      case '/assets/app.css':
        return sendText(res, 200, 'text/css', appCss);
      case '/favicon.svg':
      case '/favicon.ico':
        return sendText(res, 200, 'image/svg+xml', faviconSvg);
      case '/healthz':
        return sendJson(res, 200, { status: 'ok' });
      case '/readyz': {
        const checks = source.checks();
        const ready = Object.values(checks).every(Boolean);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
      }
      case '/metrics':
        return sendText(res, 200, 'text/plain; version=0.0.4', toPrometheus(source.metrics()));
      case '/api/metrics':
        return sendJson(res, 200, source.metrics());
      case '/api/capabilities':
        return sendJson(res, 200, { answer: source.answer !== undefined, reviews: source.reviews !== undefined });
      case '/api/runs':
        return sendJson(res, 200, await source.log.runs());
      case '/api/stream':
        return stream(req, res, source, url, options);
    }
    const [, api, runs, runId, what] = parts;
    if (api === 'api' && runs === 'runs' && runId !== undefined && parts.length === 5) {
      if (what === 'state')
        return sendJson(res, 200, stateJson((await replay(source, runId, seqParam(url, 'until'))).state));
      if (what === 'events') {
        const events = await source.log.read(runId, seqParam(url, 'from') ?? 0);
        return sendJson(res, 200, events.slice(0, maxEventsPerPage));
      }
    }
    if (api === 'api' && runs === 'runs' && runId !== undefined && what === 'tasks' && parts.length === 6) {
      return sendJson(res, 200, await task(source, runId, parts[5] as string, seqParam(url, 'until')));
    }
    throw new HttpError(404, 'NOT_FOUND', `No route GET ${url.pathname}`);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((err: unknown) => {
      const status =
        err instanceof HttpError
          ? err.status
          : err instanceof TroupeError
            ? err.code.endsWith('NOT_FOUND')
              ? 404
              : 409
            : 500;
      const code = err instanceof HttpError || err instanceof TroupeError ? err.code : 'INTERNAL';
      const message = err instanceof Error ? err.message : String(err);
      if (res.headersSent) res.end();
      else sendJson(res, status, { error: { code, message } });
    });
  };
}
