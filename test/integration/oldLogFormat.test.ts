import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, scriptedModel, sqliteLog, troupeEventSchema } from '../../src/index.js';
import { tempDir } from '../helpers/tempLog.js';

/** A log written by the troupe of row format 1 (test/fixtures/eventlog/makeLogV1.mjs wrote it). */
const fixture = fileURLToPath(new URL('../fixtures/eventlog/log-v1.db', import.meta.url));

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('troupe-old-log-');
});
afterEach(() => tmp.remove());

function copyOfFixture(): string {
  const file = tmp.file();
  copyFileSync(fixture, file);
  return file;
}

/** The fixture's tools, counting their calls. */
function tools() {
  const calls: string[] = [];
  return {
    calls,
    tools: [
      defineTool({
        name: 'lookup',
        description: 'Looks a topic up',
        input: z.object({ topic: z.string() }),
        run: ({ topic }) => {
          calls.push('lookup');
          return { topic, facts: [] };
        },
      }),
      defineTool({
        name: 'publish',
        description: 'Publishes a post',
        input: z.object({}),
        run: () => {
          calls.push('publish');
          return { url: 'https://example.test/posts/2' };
        },
      }),
    ],
  };
}

const model = scriptedModel({
  process: (_task, request) => `a post for ${String(request.inputs.ask)}`,
  synthesize: () => 'posted again',
});

describe('a log written by an older troupe (row format 1)', () => {
  it('lists its runs and reads every event back whole and valid, read-only', async () => {
    const log = sqliteLog(copyOfFixture(), { readOnly: true });
    expect((await log.runs()).map((r) => [r.runId, r.status, r.events])).toEqual([
      ['run-completed', 'completed', 20],
      ['run-waiting', 'running', 8],
    ]);
    const events = [...(await log.read('run-completed')), ...(await log.read('run-waiting'))];
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 28 }, (_, i) => i));
    for (const event of events) {
      expect(troupeEventSchema.parse(event)).toEqual(event);
      expect(event.correlationId).toBe(event.runId);
    }
    expect(events.filter((e) => e.type === 'judge.scored')).toMatchObject([
      { runId: 'run-completed', taskId: 'draft', verdict: 'accepted', score: 0.9 },
    ]);
    await log.close();
  });

  it('replays the completed run to the state it ended in', async () => {
    const runtime = createRuntime({ log: sqliteLog(copyOfFixture()), model, ...tools() });
    const state = await runtime.replay('run-completed');
    expect(state.status).toBe('completed');
    expect(state.answer).toBe('posted');
    expect([...state.tasks.values()].map((t) => [t.id, t.status])).toEqual([
      ['lookup', 'completed'],
      ['ask', 'completed'],
      ['draft', 'completed'],
      ['publish', 'completed'],
    ]);
    expect(state.tasks.get('ask')?.output).toBe('Bluesky');
    await runtime.close();
  });

  it('resumes the waiting run: its done tool task is not run again, the answer finishes it', async () => {
    const { calls, tools: fixtureTools } = tools();
    const runtime = createRuntime({ log: sqliteLog(copyOfFixture()), model, tools: fixtureTools });
    const handle = await runtime.resume('run-waiting');
    expect((await runtime.replay('run-waiting')).tasks.get('ask')?.status).toBe('needs_clarification');
    await handle.answer('ask', 'Mastodon');
    const result = await handle.result;
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('posted again');
    expect(calls).toEqual(['publish']);
    expect(result.tasks.find((t) => t.id === 'draft')?.output).toBe('a post for Mastodon');
    await runtime.close();
  });
});
