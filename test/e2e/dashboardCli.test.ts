import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { TroupeEvent } from '../../src/events/types.js';
import { sqliteLog } from '../../src/log/sqliteLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime, type Runtime } from '../../src/runtime/createRuntime.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** The events of an SSE response, parsed. */
function sse(url: string): { events$: Observable<TroupeEvent>; close(): void } {
  let close: () => void = () => undefined;
  const events$ = new Observable<TroupeEvent>((subscriber) => {
    const req = request(url, (res) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data !== undefined) subscriber.next(JSON.parse(data.slice(6)) as TroupeEvent);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    req.end();
    close = () => req.destroy();
    return () => req.destroy();
  });
  return { events$, close: () => close() };
}

function getJson(url: string, init: { method?: string; body?: string; token?: string } = {}) {
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    const req = request(url, { method: init.method ?? 'GET', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function firstLine(child: ChildProcessByStdio<null, Readable, Readable>, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = out.match(pattern);
      if (match !== null) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`dashboard exited with ${code}: ${out}`)));
  });
}

let dir: string | undefined;
let writer: Runtime | undefined;
let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await writer?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  child = undefined;
  writer = undefined;
  dir = undefined;
});

describe('troupe dashboard', () => {
  it('shows a run written by another process live, read-only, and stops on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-dashboard-'));
    const file = join(dir, 'events.db');
    const model = scriptedModel({
      plan: () => ({
        tasks: [{ id: 'ask', description: 'Ask', kind: 'clarification', input: { question: 'Which platform?' } }],
      }),
    });
    writer = createRuntime({ log: sqliteLog(file), model });
    const handle = writer.run('post an announcement');
    await firstValueFrom(handle.events$.pipe(filter((e) => e.type === 'task.clarification_requested')));

    const proc = spawn(process.execPath, [cli, 'dashboard', '--log', file, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const [, url, token] = await firstLine(proc, /troupe dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#(\S+)\n/);
    const runs = (await getJson(`${url}/api/runs`)).json as { runId: string; status: string }[];
    expect(runs).toMatchObject([{ runId: handle.runId, status: 'running' }]);
    expect((await getJson(`${url}/api/capabilities`)).json).toEqual({ answer: false, reviews: false });
    const refused = await getJson(`${url}/api/runs/${handle.runId}/tasks/ask/answer`, {
      method: 'POST',
      token: token as string,
      body: JSON.stringify({ text: 'Bluesky' }),
    });
    expect(refused).toMatchObject({ status: 409, json: { error: { code: 'READ_ONLY' } } });

    const stored = await writer.replay(handle.runId);
    const stream = sse(`${url}/api/stream?runId=${handle.runId}&from=${stored.events}`);
    const completed = firstValueFrom(stream.events$.pipe(filter((e) => e.type === 'run.completed')));
    await handle.answer('ask', 'Bluesky');
    expect((await completed).runId).toBe(handle.runId);
    stream.close();

    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a busy port with PORT_IN_USE and exit code 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-dashboard-'));
    const file = join(dir, 'events.db');
    writer = createRuntime({ log: sqliteLog(file) });
    const holder = await writer.serve({ port: 0 });
    const proc = spawn(process.execPath, [cli, 'dashboard', '--log', file, '--port', String(holder.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT_IN_USE');
    expect(stderr).toContain(String(holder.port));
  });
});
