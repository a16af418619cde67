import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLog } from '../../src/log/memoryLog.js';
import { scriptedModel } from '../../src/model/scriptedModel.js';
import { createRuntime } from '../../src/runtime/createRuntime.js';
import { defineTool } from '../../src/tools/defineTool.js';
import { fastRetry } from './support.js';

const echo = defineTool({
  name: 'echo',
  description: 'Echoes',
  input: z.object({ text: z.string() }),
  run: ({ text }) => text,
});

async function finished() {
  const runtime = createRuntime({
    log: memoryLog(),
    tools: [echo],
    retry: fastRetry,
    model: scriptedModel({
      plan: () => ({
        tasks: [{ id: 'say', description: 'Say it', kind: 'tool_call', tool: 'echo', input: { text: 'a\nb' } }],
      }),
    }),
  });
  const handle = runtime.run('say a and b');
  await handle.result;
  const dashboard = await runtime.serve({ port: 0 });
  return { runtime, dashboard, runId: handle.runId };
}

describe('GET /api/runs/:id/tasks/:taskId', () => {
  it('answers one task in full: its state, its planned input and its events, at any seq', async () => {
    const { runtime, dashboard, runId } = await finished();
    try {
      const res = await fetch(`${dashboard.url}/api/runs/${runId}/tasks/say`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        task: Record<string, unknown>;
        plannedInput: unknown;
        events: { type: string; seq: number }[];
      };
      expect(body.task).toMatchObject({ id: 'say', status: 'completed', output: 'a\nb', attempts: 1 });
      expect(body.task).not.toHaveProperty('dependents');
      expect(body.plannedInput).toEqual({ text: 'a\nb' });
      expect(body.events.map((e) => e.type)).toEqual(['task.started', 'task.completed']);

      const started = body.events[0]?.seq as number;
      const past = (await (
        await fetch(`${dashboard.url}/api/runs/${runId}/tasks/say?until=${started}`)
      ).json()) as typeof body;
      expect(past.task.status).toBe('running');
      expect(past.events.map((e) => e.type)).toEqual(['task.started']);
    } finally {
      await dashboard.close();
      await runtime.close();
    }
  });

  it('answers 404 for an unknown task or run and 400 for a bad seq, naming what was wrong', async () => {
    const { runtime, dashboard, runId } = await finished();
    try {
      const unknownTask = await fetch(`${dashboard.url}/api/runs/${runId}/tasks/nope`);
      expect(unknownTask.status).toBe(404);
      expect(await unknownTask.json()).toMatchObject({ error: { code: 'TASK_NOT_FOUND' } });
      const unknownRun = await fetch(`${dashboard.url}/api/runs/nope/tasks/say`);
      expect(unknownRun.status).toBe(404);
      expect(await unknownRun.json()).toMatchObject({ error: { code: 'RUN_NOT_FOUND' } });
      const badSeq = await fetch(`${dashboard.url}/api/runs/${runId}/tasks/say?until=-1`);
      expect(badSeq.status).toBe(400);
      expect(await badSeq.json()).toMatchObject({ error: { code: 'QUERY_INVALID' } });
    } finally {
      await dashboard.close();
      await runtime.close();
    }
  });
});
