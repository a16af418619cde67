import { request } from 'node:http';
import { connect } from 'node:net';
import { Observable, Subject } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import type { EventLog } from '../../src/log/EventLog.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime, type Runtime } from '../../src/runtime/createRuntime.js';
import type { DashboardServer } from '../../src/ui/DashboardSource.js';
import { fastRetry, nextEvent } from './support.js';

/** A memory log that counts its open subscriptions, to prove streams do not leak. */
function countingLog(): EventLog & { open(): number } {
  const base = memoryLog();
  let open = 0;
  return {
    ...base,
    subscribe: (from?: number) =>
      new Observable((subscriber) => {
        open += 1;
        const inner = base.subscribe(from).subscribe(subscriber);
        return () => {
          open -= 1;
          inner.unsubscribe();
        };
      }),
    open: () => open,
  };
}

function askPlan() {
  return scriptedModel({
    plan: () => ({
      tasks: [
        {
          id: 'ask',
          description: 'Ask for the platform',
          kind: 'clarification',
          input: { question: 'Which platform?' },
        },
        { id: 'draft', description: 'Draft the post', kind: 'processing', dependsOn: ['ask'] },
      ],
    }),
    process: (_task, req) => `draft for ${String(req.inputs.ask)}`,
  });
}

interface Reply {
  status: number;
  body: string;
  json: () => unknown;
}

function call(url: string, options: { method?: string; body?: string; token?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const req = request(url, { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

let runtime: Runtime | undefined;
let dashboard: DashboardServer | undefined;
afterEach(async () => {
  await dashboard?.close();
  await runtime?.close();
  runtime = undefined;
  dashboard = undefined;
});

async function serveAsk() {
  const log = countingLog();
  runtime = createRuntime({ log, model: askPlan(), retry: fastRetry });
  dashboard = await runtime.serve({ port: 0, token: 'secret-token-1' });
  const handle = runtime.run('post an announcement');
  await nextEvent(handle.events$, 'task.clarification_requested');
  return { log, handle, base: dashboard.url, token: dashboard.token };
}

describe('dashboard over HTTP', () => {
  it('binds 127.0.0.1 and serves the page, health, readiness, metrics and the run', async () => {
    const { base, handle } = await serveAsk();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await call(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/assets/app.js">');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect((await call(`${base}/assets/app.js`)).status).toBe(200);
    expect((await call(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await call(`${base}/readyz`)).json()).toEqual({ status: 'ready', checks: { log: true, monitor: true } });
    const metrics = await call(`${base}/metrics`);
    expect(metrics.body).toContain('troupe_runs_active 1');
    expect(metrics.body).toContain('troupe_clarifications_pending 1');
    const runs = (await call(`${base}/api/runs`)).json() as { runId: string }[];
    expect(runs.map((r) => r.runId)).toEqual([handle.runId]);
    const state = (await call(`${base}/api/runs/${handle.runId}/state`)).json() as {
      tasks: { id: string; status: string }[];
    };
    expect(state.tasks.map((t) => [t.id, t.status])).toEqual([
      ['ask', 'needs_clarification'],
      ['draft', 'planned'],
    ]);
    const early = (await call(`${base}/api/runs/${handle.runId}/state?until=0`)).json() as {
      status: string;
      tasks: [];
    };
    expect(early).toMatchObject({ status: 'planning', tasks: [] });
    await handle.cancel();
  });

  it('answers a clarification with the token, and the run completes', async () => {
    const { base, handle, token } = await serveAsk();
    const reply = await call(`${base}/api/runs/${handle.runId}/tasks/ask/answer`, {
      method: 'POST',
      token,
      body: JSON.stringify({ text: 'Bluesky' }),
    });
    expect(reply.status).toBe(202);
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.tasks.find((t) => t.id === 'draft')?.output).toBe('draft for Bluesky');
  });

  it('refuses a request without the token or with a wrong one (401), changing nothing', async () => {
    const { base, handle, log } = await serveAsk();
    const before = (await log.read(handle.runId)).length;
    const body = JSON.stringify({ text: 'Bluesky' });
    const path = `${base}/api/runs/${handle.runId}/tasks/ask/answer`;
    const none = await call(path, { method: 'POST', body });
    const wrong = await call(path, { method: 'POST', body, token: 'secret-token-2' });
    expect([none.status, wrong.status]).toEqual([401, 401]);
    expect(none.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await log.read(handle.runId)).length).toBe(before);
    await handle.cancel();
  });

  it('refuses malformed bodies (400 naming the field) and oversized ones (413)', async () => {
    const { base, handle, token, log } = await serveAsk();
    const before = (await log.read(handle.runId)).length;
    const path = `${base}/api/runs/${handle.runId}/tasks/ask/answer`;
    const notJson = await call(path, { method: 'POST', token, body: '{text:' });
    expect(notJson.status).toBe(400);
    expect(notJson.json()).toMatchObject({ error: { code: 'BODY_INVALID', message: expect.stringContaining('JSON') } });
    const wrongType = await call(path, { method: 'POST', token, body: JSON.stringify({ text: 42 }) });
    expect(wrongType.status).toBe(400);
    expect((wrongType.json() as { error: { message: string } }).error.message).toContain('`text`');
    const extra = await call(path, { method: 'POST', token, body: JSON.stringify({ text: 'x', admin: true }) });
    expect((extra.json() as { error: { message: string } }).error.message).toContain('admin');
    const huge = await call(path, { method: 'POST', token, body: JSON.stringify({ text: 'x'.repeat(20_000) }) });
    expect(huge.status).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
    const badSeq = await call(`${base}/api/runs/${handle.runId}/state?until=-1`);
    expect(badSeq.status).toBe(400);
    expect(badSeq.body).toContain('`until`');
    expect((await call(`${base}/api/runs/nope/state`)).status).toBe(404);
    expect((await log.read(handle.runId)).length).toBe(before);
    await handle.cancel();
  });

  it('streams events over SSE and lets go of the log subscription when the client disconnects', async () => {
    const { base, handle, log } = await serveAsk();
    const baseline = log.open();
    const received: string[] = [];
    const req = request(`${base}/api/stream?runId=${handle.runId}&from=0`);
    const firstChunk = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        res.on('data', (chunk: Buffer) => {
          received.push(chunk.toString('utf8'));
          if (received.join('').includes('task.clarification_requested')) resolve();
        });
        res.on('error', () => undefined);
      });
    });
    req.on('error', () => undefined);
    req.end();
    await firstChunk;
    expect(log.open()).toBe(baseline + 1);
    expect(received.join('')).toMatch(/^id: \d+\nevent: event\ndata: \{"/m);
    req.destroy();
    await vi.waitFor(() => expect(log.open()).toBe(baseline));
    await handle.cancel();
  });

  it('lets go of the log for a client that stops reading instead of buffering for it without bound', async () => {
    const log = countingLog();
    runtime = createRuntime({ log });
    dashboard = await runtime.serve({ port: 0, maxQueuedEvents: 8 });
    const baseline = log.open();
    const socket = connect(dashboard.port, '127.0.0.1');
    socket.write('GET /api/stream?from=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.pause();
    await vi.waitFor(() => expect(log.open()).toBe(baseline + 1));
    const big = 'x'.repeat(256 * 1024);
    // Far more than the socket buffers hold: the stream must fill and stop reading the log.
    for (let i = 0; i < 200 && log.open() > baseline; i++) {
      await log.append([
        {
          type: 'run.started',
          goal: big,
          id: `e${i}`,
          runId: `slow${i}`,
          ts: 0,
          correlationId: 'c',
          causationId: null,
        },
      ]);
    }
    await vi.waitFor(() => expect(log.open()).toBe(baseline));
    socket.destroy();
  });

  it('refuses a Host header that does not name this machine (DNS rebinding)', async () => {
    runtime = createRuntime({});
    dashboard = await runtime.serve({ port: 0 });
    const reply = await new Promise<number>((resolve, reject) => {
      const req = request(`${dashboard?.url}/api/runs`, { headers: { host: 'evil.example:4400' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(reply).toBe(403);
    expect((await call(`${dashboard.url.replace('127.0.0.1', 'localhost')}/healthz`)).status).toBe(200);
  });

  it('says a busy port is in use instead of crashing', async () => {
    runtime = createRuntime({});
    dashboard = await runtime.serve({ port: 0 });
    const second = createRuntime({});
    await expect(second.serve({ port: dashboard.port })).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining(String(dashboard.port)),
    });
    await second.close();
  });

  it('reports not ready (503) when the log stream fails', async () => {
    const broken = new Subject<TroupeEvent>();
    runtime = createRuntime({ log: { ...memoryLog(), subscribe: () => broken } });
    dashboard = await runtime.serve({ port: 0 });
    expect((await call(`${dashboard.url}/readyz`)).status).toBe(200);
    broken.error(new Error('the disk went away'));
    const ready = await call(`${dashboard.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json()).toEqual({ status: 'not ready', checks: { log: false, monitor: false } });
    expect((await call(`${dashboard.url}/healthz`)).status).toBe(200);
    expect((await call(`${dashboard.url}/metrics`)).body).toContain('troupe_monitor_live 0');
  });
});
