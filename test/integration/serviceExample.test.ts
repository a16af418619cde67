import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startService } from '../../examples/service/service.js';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';

function call(url: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function setup() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const wait = defineTool({ name: 'wait', description: 'waits for the gate', input: z.object({}), run: () => gate });
  const log = memoryLog();
  const runtime = createRuntime({
    log,
    tools: [wait],
    model: scriptedModel({
      plan: (goal) => ({
        tasks: [
          goal.includes('wait')
            ? { id: 'w', description: 'wait', kind: 'tool_call', tool: 'wait', input: {} }
            : { id: 'p', description: 'think', kind: 'processing' },
        ],
      }),
    }),
  });
  return { log, runtime, release: () => release() };
}

describe('examples/service', () => {
  it('starts a run, streams its events to the end over SSE, and reads it back', async () => {
    const { log, runtime } = setup();
    const service = await startService({ runtime, log });
    try {
      const started = await call(`${service.url}/runs`, 'POST', JSON.stringify({ goal: 'think once' }));
      expect(started.status).toBe(202);
      const { runId } = JSON.parse(started.text) as { runId: string };
      const stream = await call(`${service.url}/runs/${runId}/events`);
      const types = stream.text
        .split('\n')
        .filter((l) => l.startsWith('event: '))
        .map((l) => l.slice(7));
      expect(types[0]).toBe('run.started');
      expect(types.at(-1)).toBe('run.completed');
      const run = JSON.parse((await call(`${service.url}/runs/${runId}`)).text) as { status: string; tasks: unknown[] };
      expect(run).toMatchObject({ status: 'completed', tasks: [{ id: 'p', status: 'completed', attempts: 1 }] });
      // Once the run is over the stream comes from the log.
      const again = await call(`${service.url}/runs/${runId}/events`);
      expect(again.text.split('\n').filter((l) => l.startsWith('event: '))).toHaveLength(types.length);
    } finally {
      await service.close();
    }
  });

  it('refuses bad bodies (400 naming the field, 413 when too large) and unknown runs (404)', async () => {
    const { log, runtime } = setup();
    const service = await startService({ runtime, log });
    try {
      const empty = await call(`${service.url}/runs`, 'POST', JSON.stringify({ goal: ' ' }));
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('`goal`');
      expect((await call(`${service.url}/runs`, 'POST', '{goal')).status).toBe(400);
      expect((await call(`${service.url}/runs`, 'POST', JSON.stringify({ goal: 'x'.repeat(20_000) }))).status).toBe(
        413,
      );
      expect((await call(`${service.url}/runs/nope`)).status).toBe(404);
      expect((await call(`${service.url}/runs/nope/events`)).status).toBe(404);
      expect(await log.runs()).toEqual([]);
    } finally {
      await service.close();
    }
  });

  it('shuts down gracefully: the run in flight is cancelled and recorded, then the log is closed', async () => {
    const { log, runtime, release } = setup();
    const service = await startService({ runtime, log });
    const started = await call(`${service.url}/runs`, 'POST', JSON.stringify({ goal: 'wait for it' }));
    const { runId } = JSON.parse(started.text) as { runId: string };
    await runtime.replay(runId);
    await service.close();
    release();
    const events = await log.read(runId);
    expect(events.at(-1)?.type).toBe('run.cancelled');
    await expect(log.append([])).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    await expect(call(`${service.url}/runs/${runId}`)).rejects.toThrow();
  });
});
