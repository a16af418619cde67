// An HTTP service that embeds one troupe runtime: POST /runs starts a run, GET /runs/:id reads
// it, GET /runs/:id/events streams its events (Server-Sent Events). node:http and zod only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventLog, RunHandle, Runtime, TroupeEvent } from 'troupe';
import { z } from 'zod';

const startBody = z.object({ goal: z.string().trim().min(1).max(10_000) }).strict();
const maxBodyBytes = 16_384;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new HttpError(413, `Expected a body of at most ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Expected a JSON body');
  }
}

/** Streams a run's events, stored ones first, until its last; stops when the client leaves. */
async function streamEvents(service: ServiceDeps, runId: string, res: ServerResponse): Promise<void> {
  const handle = service.handles.get(runId);
  const stored = handle === undefined ? await service.log.read(runId) : [];
  if (handle === undefined && stored.length === 0) throw new HttpError(404, `No run \`${runId}\``);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  const send = (event: TroupeEvent) => {
    res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  if (handle === undefined) {
    // A run this process did not start (an earlier process wrote it): what the log holds.
    for (const event of stored) send(event);
    res.end();
    return;
  }
  // `handle.events$` replays the run from its first event and completes after its last.
  const subscription = handle.events$.subscribe({ next: send, complete: () => res.end() });
  res.once('close', () => subscription.unsubscribe());
}

interface ServiceDeps {
  runtime: Runtime;
  log: EventLog;
  handles: Map<string, RunHandle>;
}

/** Starts the service on `port` (0 picks a free one) and resolves once it listens. */
export async function startService(options: { runtime: Runtime; log: EventLog; port?: number; host?: string }) {
  const { runtime, port = 0, host = '127.0.0.1' } = options;
  const service: ServiceDeps = { runtime, log: options.log, handles: new Map() };
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [, resource, runId, what] = new URL(req.url ?? '/', 'http://localhost').pathname.split('/');
    if (resource !== 'runs') throw new HttpError(404, 'Expected /runs');
    if (req.method === 'POST' && runId === undefined) {
      const body = startBody.safeParse(await readJson(req));
      if (!body.success) {
        const field = body.error.issues[0]?.path.join('.') || 'body';
        throw new HttpError(400, `Invalid \`${field}\`: ${body.error.issues[0]?.message}`);
      }
      const handle = runtime.run(body.data.goal);
      service.handles.set(handle.runId, handle);
      void handle.result.then(() => service.handles.delete(handle.runId));
      return json(res, 202, { runId: handle.runId, events: `/runs/${handle.runId}/events` });
    }
    if (req.method === 'GET' && runId !== undefined && what === undefined) {
      const state = await runtime.replay(runId);
      return json(res, 200, {
        runId,
        goal: state.goal,
        status: state.status,
        answer: state.answer,
        error: state.error,
        tasks: [...state.tasks.values()].map((t) => ({ id: t.id, status: t.status, attempts: t.attempts })),
      });
    }
    if (req.method === 'GET' && runId !== undefined && what === 'events') return streamEvents(service, runId, res);
    throw new HttpError(404, `No route ${req.method} ${req.url}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status =
        err instanceof HttpError ? err.status : (err as { code?: string }).code === 'RUN_NOT_FOUND' ? 404 : 500;
      if (res.headersSent) res.end();
      else json(res, status, { error: (err as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    /** Stops accepting requests, then closes the runtime: in-flight appends finish, runs still going are cancelled and recorded, the log is closed. */
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await runtime.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
